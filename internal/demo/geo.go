package demo

// Province is a Spanish province with its INE code and its localities (the capital first).
type Province struct {
	Code       int // INE code, 1..52
	Name       string
	Localities []string // capital first
}

// SpainProvinces lists Spain's 52 provinces ordered by INE code.
var SpainProvinces = []Province{
	{Code: 1, Name: "Araba/Álava", Localities: []string{"Vitoria-Gasteiz"}},
	{Code: 2, Name: "Albacete", Localities: []string{"Albacete"}},
	{Code: 3, Name: "Alicante", Localities: []string{"Alicante", "Elche"}},
	{Code: 4, Name: "Almería", Localities: []string{"Almería"}},
	{Code: 5, Name: "Ávila", Localities: []string{"Ávila"}},
	{Code: 6, Name: "Badajoz", Localities: []string{"Badajoz"}},
	{Code: 7, Name: "Illes Balears", Localities: []string{"Palma"}},
	{Code: 8, Name: "Barcelona", Localities: []string{"Barcelona", "L'Hospitalet de Llobregat", "Badalona", "Sabadell", "Terrassa"}},
	{Code: 9, Name: "Burgos", Localities: []string{"Burgos"}},
	{Code: 10, Name: "Cáceres", Localities: []string{"Cáceres"}},
	{Code: 11, Name: "Cádiz", Localities: []string{"Cádiz", "Jerez de la Frontera", "Algeciras"}},
	{Code: 12, Name: "Castellón", Localities: []string{"Castellón de la Plana"}},
	{Code: 13, Name: "Ciudad Real", Localities: []string{"Ciudad Real"}},
	{Code: 14, Name: "Córdoba", Localities: []string{"Córdoba"}},
	{Code: 15, Name: "A Coruña", Localities: []string{"A Coruña", "Santiago de Compostela"}},
	{Code: 16, Name: "Cuenca", Localities: []string{"Cuenca"}},
	{Code: 17, Name: "Girona", Localities: []string{"Girona"}},
	{Code: 18, Name: "Granada", Localities: []string{"Granada"}},
	{Code: 19, Name: "Guadalajara", Localities: []string{"Guadalajara"}},
	{Code: 20, Name: "Gipuzkoa", Localities: []string{"Donostia/San Sebastián"}},
	{Code: 21, Name: "Huelva", Localities: []string{"Huelva"}},
	{Code: 22, Name: "Huesca", Localities: []string{"Huesca"}},
	{Code: 23, Name: "Jaén", Localities: []string{"Jaén"}},
	{Code: 24, Name: "León", Localities: []string{"León"}},
	{Code: 25, Name: "Lleida", Localities: []string{"Lleida"}},
	{Code: 26, Name: "La Rioja", Localities: []string{"Logroño"}},
	{Code: 27, Name: "Lugo", Localities: []string{"Lugo"}},
	{Code: 28, Name: "Madrid", Localities: []string{"Madrid", "Alcalá de Henares", "Móstoles", "Getafe"}},
	{Code: 29, Name: "Málaga", Localities: []string{"Málaga", "Marbella"}},
	{Code: 30, Name: "Murcia", Localities: []string{"Murcia", "Cartagena"}},
	{Code: 31, Name: "Navarra", Localities: []string{"Pamplona"}},
	{Code: 32, Name: "Ourense", Localities: []string{"Ourense"}},
	{Code: 33, Name: "Asturias", Localities: []string{"Oviedo", "Gijón"}},
	{Code: 34, Name: "Palencia", Localities: []string{"Palencia"}},
	{Code: 35, Name: "Las Palmas", Localities: []string{"Las Palmas de Gran Canaria"}},
	{Code: 36, Name: "Pontevedra", Localities: []string{"Pontevedra", "Vigo"}},
	{Code: 37, Name: "Salamanca", Localities: []string{"Salamanca"}},
	{Code: 38, Name: "Santa Cruz de Tenerife", Localities: []string{"Santa Cruz de Tenerife"}},
	{Code: 39, Name: "Cantabria", Localities: []string{"Santander"}},
	{Code: 40, Name: "Segovia", Localities: []string{"Segovia"}},
	{Code: 41, Name: "Sevilla", Localities: []string{"Sevilla", "Dos Hermanas"}},
	{Code: 42, Name: "Soria", Localities: []string{"Soria"}},
	{Code: 43, Name: "Tarragona", Localities: []string{"Tarragona"}},
	{Code: 44, Name: "Teruel", Localities: []string{"Teruel"}},
	{Code: 45, Name: "Toledo", Localities: []string{"Toledo"}},
	{Code: 46, Name: "Valencia", Localities: []string{"Valencia", "Gandia", "Torrent"}},
	{Code: 47, Name: "Valladolid", Localities: []string{"Valladolid"}},
	{Code: 48, Name: "Bizkaia", Localities: []string{"Bilbao", "Barakaldo"}},
	{Code: 49, Name: "Zamora", Localities: []string{"Zamora"}},
	{Code: 50, Name: "Zaragoza", Localities: []string{"Zaragoza"}},
	{Code: 51, Name: "Ceuta", Localities: []string{"Ceuta"}},
	{Code: 52, Name: "Melilla", Localities: []string{"Melilla"}},
}
