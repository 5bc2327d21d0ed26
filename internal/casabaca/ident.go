package casabaca

// Ecuadorian identification numbers: the cédula (10 digits) and the RUC
// (13 digits), each with a check digit, as the Registro Civil and the SRI
// define them.

// validCedula reports whether s is a valid cédula: 10 digits, a province
// 01–24 (or 30, Ecuadorians registered abroad), a third digit below 6,
// and the modulo-10 check digit (coefficients 2,1,2,1… over the first
// nine digits, products above 9 less 9).
func validCedula(s string) bool {
	if len(s) != 10 || !digits(s) {
		return false
	}
	return validProvince(s) && s[2] < '6' && cedulaCheck(s[:9]) == int(s[9]-'0')
}

func cedulaCheck(nine string) int {
	sum := 0
	for i := 0; i < 9; i++ {
		d := int(nine[i]-'0') * (2 - i%2)
		if d > 9 {
			d -= 9
		}
		sum += d
	}
	return (10 - sum%10) % 10
}

func validProvince(s string) bool {
	p := int(s[0]-'0')*10 + int(s[1]-'0')
	return (p >= 1 && p <= 24) || p == 30
}

// validRUC reports whether s is a valid RUC: 13 digits of a province, and
//   - a person's (third digit below 6): his cédula and an establishment
//     number (the last three digits, not 000);
//   - a public body's (third digit 6): modulo 11 over the first eight
//     digits (coefficients 3,2,7,6,5,4,3,2), the check digit ninth, the
//     last four digits not 0000;
//   - a private company's (third digit 9): modulo 11 over the first nine
//     digits (4,3,2,7,6,5,4,3,2), the check digit tenth, the last three
//     not 000.
func validRUC(s string) bool {
	if len(s) != 13 || !digits(s) || !validProvince(s) {
		return false
	}
	switch t := s[2]; {
	case t < '6':
		return validCedula(s[:10]) && s[10:] != "000"
	case t == '6':
		return mod11(s[:8], []int{3, 2, 7, 6, 5, 4, 3, 2}) == int(s[8]-'0') && s[9:] != "0000"
	case t == '9':
		return mod11(s[:9], []int{4, 3, 2, 7, 6, 5, 4, 3, 2}) == int(s[9]-'0') && s[10:] != "000"
	}
	return false
}

// mod11 is the SRI's modulo-11 check digit of ds with coefficients cs: 11
// less the remainder, 0 when that is 11; -1 (no digit) when it is 10.
func mod11(ds string, cs []int) int {
	sum := 0
	for i, c := range cs {
		sum += int(ds[i]-'0') * c
	}
	d := 11 - sum%11
	switch d {
	case 11:
		return 0
	case 10:
		return -1
	}
	return d
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
