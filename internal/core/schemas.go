package core

// The schemas of the entities a Query can list: which fields a condition,
// a sort, a group or a projection may name. Every store maps each of them
// (a test checks it). Paths into a related record ("client.phone") or into
// a list ("tasks.type", true when any task matches) are fields like any
// other.

func enumValues[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// LeadSchema is the registry of a lead's fields.
var LeadSchema = Schema{
	Entity: "lead",
	Fields: map[string]FieldSpec{
		"id":                            {Type: TypeInt, Sort: true},
		"public_id":                     {Type: TypeText},
		"dealer":                        {Type: TypeInt, Sort: true, Group: true},
		"source":                        {Type: TypeInt, Sort: true, Group: true},
		"stage":                         {Type: TypeStage, Sort: true, Group: true},
		"outcome":                       {Type: TypeEnum, Values: enumValues(Outcomes), Group: true},
		"score":                         {Type: TypeInt, Sort: true, Group: true},
		"user":                          {Type: TypeInt, Sort: true, Group: true},
		"created_by":                    {Type: TypeInt, Group: true},
		"created_at":                    {Type: TypeTime, Sort: true},
		"updated_at":                    {Type: TypeTime, Sort: true},
		"finished_at":                   {Type: TypeTime, Sort: true},
		"first_task_at":                 {Type: TypeTime},
		"version":                       {Type: TypeInt},
		"mail_content":                  {Type: TypeText},
		"kind":                          {Type: TypeEnum, Values: enumValues(LeadKinds), Group: true},
		"client":                        {Type: TypeInt, Group: true},
		"client.public_id":              {Type: TypeText},
		"client.name":                   {Type: TypeText, Sort: true},
		"client.phone":                  {Type: TypeText},
		"client.email":                  {Type: TypeText},
		"client.gov_id":                 {Type: TypeText},
		"client.province":               {Type: TypeInt, Group: true},
		"client.locality":               {Type: TypeInt, Group: true},
		"vehicle.brand_model":           {Type: TypeText},
		"vehicle.price":                 {Type: TypeText},
		"vehicle.km":                    {Type: TypeText},
		"vehicle.year":                  {Type: TypeInt, Group: true},
		"vehicle.gas":                   {Type: TypeInt, Group: true},
		"vehicle.sold":                  {Type: TypeBool, Group: true},
		"vehicle.make":                  {Type: TypeText, Sort: true, Group: true},
		"vehicle.model":                 {Type: TypeText, Sort: true, Group: true},
		"vehicle.plate":                 {Type: TypeText, Group: true},
		"vehicle.vin":                   {Type: TypeText, Group: true},
		"tasks.type":                    {Type: TypeEnum, Values: enumValues(TaskTypes)},
		"tasks.media":                   {Type: TypeEnum, Values: enumValues(MediaValues)},
		"tasks.description":             {Type: TypeText},
		"tasks.done":                    {Type: TypeBool},
		"tasks.planned_at":              {Type: TypeTime},
		"tasks.appraisal.license_plate": {Type: TypeText},
		"notes.content":                 {Type: TypeText},
		"tags.content":                  {Type: TypeText},
	},
	Search: "the client's name, phone (as given, in E.164 or its digits) and e-mail, the client's province and " +
		"locality, the vehicle's make and model and its fuel, the tags, the notes, the tasks' descriptions and " +
		"appraised plates, the source's channel, origin and data, the assigned user's names, and the lead's id",
	DefaultSort: []Sort{{Field: "created_at", Desc: true}},
}

// ClientSchema is the registry of a client's fields.
var ClientSchema = Schema{
	Entity: "client",
	Fields: map[string]FieldSpec{
		"id":            {Type: TypeInt, Sort: true},
		"public_id":     {Type: TypeText},
		"dealer":        {Type: TypeInt, Group: true},
		"name":          {Type: TypeText, Sort: true},
		"phone":         {Type: TypeText},
		"email":         {Type: TypeText},
		"gov_id":        {Type: TypeText},
		"business_name": {Type: TypeText},
		"address":       {Type: TypeText},
		"province":      {Type: TypeInt, Group: true},
		"locality":      {Type: TypeInt, Group: true},
		"created_at":    {Type: TypeTime, Sort: true},
		"updated_at":    {Type: TypeTime, Sort: true},
		// the client's contact persons (Contact): a condition holds when
		// one of them holds it; phones and e-mails when one of theirs does
		"contacts.name":   {Type: TypeText},
		"contacts.phones": {Type: TypeText},
		"contacts.emails": {Type: TypeText},
		"contacts.gov_id": {Type: TypeText},
	},
	Search:      "the name, the phone (as given or in E.164), the e-mail, and the names of the province and the locality",
	DefaultSort: []Sort{{Field: "id"}},
}

// UserSchema is the registry of a user's fields. "dealer" holds for any
// dealer the user belongs to; "online" is evaluated at Query.At.
var UserSchema = Schema{
	Entity: "user",
	Fields: map[string]FieldSpec{
		"id":            {Type: TypeInt, Sort: true},
		"public_id":     {Type: TypeText},
		"dealer":        {Type: TypeInt},
		"username":      {Type: TypeText, Sort: true},
		"email":         {Type: TypeText},
		"first_name":    {Type: TypeText, Sort: true},
		"last_name":     {Type: TypeText, Sort: true},
		"phone":         {Type: TypeText},
		"click2call_id": {Type: TypeText},
		"is_active":     {Type: TypeBool, Group: true},
		"online":        {Type: TypeBool},
		"created_at":    {Type: TypeTime, Sort: true},
	},
	Search:      "the username, e-mail, first and last name, phone and telephony extension",
	DefaultSort: []Sort{{Field: "id"}},
}

// DealerSchema is the registry of a dealer's fields.
var DealerSchema = Schema{
	Entity: "dealer",
	Fields: map[string]FieldSpec{
		"id":        {Type: TypeInt, Sort: true},
		"public_id": {Type: TypeText},
		"name":      {Type: TypeText, Sort: true},
		"country":   {Type: TypeText, Group: true},
	},
	Search:      "the name, address, web site and phone numbers",
	DefaultSort: []Sort{{Field: "id"}},
}

// SourceSchema is the registry of a source's fields.
var SourceSchema = Schema{
	Entity: "source",
	Fields: map[string]FieldSpec{
		"id":      {Type: TypeInt, Sort: true},
		"dealer":  {Type: TypeInt, Group: true},
		"channel": {Type: TypeInt, Group: true},
		"origin":  {Type: TypeInt, Group: true},
		"data":    {Type: TypeText},
	},
	Search:      "the data, the channel's slug and name, the origin's name and the dealer's name",
	DefaultSort: []Sort{{Field: "id"}},
}

// ProvinceSchema is the registry of a province's fields; country is an ISO
// 3166-1 alpha-2 code.
var ProvinceSchema = Schema{
	Entity: "province",
	Fields: map[string]FieldSpec{
		"id":      {Type: TypeInt, Sort: true},
		"country": {Type: TypeText},
		"name":    {Type: TypeText, Sort: true},
		"active":  {Type: TypeBool},
	},
	Search:      "the name",
	DefaultSort: []Sort{{Field: "name"}},
}

// LocalitySchema is the registry of a locality's fields.
var LocalitySchema = Schema{
	Entity: "locality",
	Fields: map[string]FieldSpec{
		"id":       {Type: TypeInt, Sort: true},
		"province": {Type: TypeInt},
		"name":     {Type: TypeText, Sort: true},
		"active":   {Type: TypeBool},
	},
	Search:      "the name",
	DefaultSort: []Sort{{Field: "name"}},
}

// AppointmentSchema is the registry of an appointment's fields. Its sorts
// are served by indexes on the dealer and start, creation time (0041),
// update time or id, and on the dealer, user and start (a user's agenda).
var AppointmentSchema = Schema{
	Entity: "appointment",
	Fields: map[string]FieldSpec{
		"id":         {Type: TypeInt, Sort: true},
		"public_id":  {Type: TypeText},
		"dealer":     {Type: TypeInt, Group: true},
		"lead":       {Type: TypeInt},
		"client":     {Type: TypeInt},
		"user":       {Type: TypeInt, Group: true},
		"created_by": {Type: TypeInt, Group: true},
		"type":       {Type: TypeEnum, Values: enumValues(AppointmentTypes), Group: true},
		"status":     {Type: TypeEnum, Values: enumValues(AppointmentStatuses), Group: true},
		"remote":     {Type: TypeBool, Group: true},
		"title":      {Type: TypeText},
		"place":      {Type: TypeText},
		"comments":   {Type: TypeText},
		"start_at":   {Type: TypeTime, Sort: true},
		"end_at":     {Type: TypeTime},
		"created_at": {Type: TypeTime, Sort: true},
		"updated_at": {Type: TypeTime, Sort: true},
		"version":    {Type: TypeInt},
	},
	Search:      "the title, the place and the comments",
	DefaultSort: []Sort{{Field: "start_at"}},
}
