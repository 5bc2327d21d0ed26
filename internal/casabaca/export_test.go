package casabaca

// CedulaCheck is cedulaCheck for the external tests: the check digit of a
// cédula's first nine digits.
var CedulaCheck = cedulaCheck
