package walcu

// LimitOf is limitOf, for the package's tests.
var LimitOf = limitOf
