package core

// checkExt records on fe what is wrong with a record's extension fields:
// more than max of them, a key that names no API's field (validExtKey), a
// value longer than MaxLongText; paths "ext" and "ext.<key>".
func checkExt(fe FieldErrors, ext map[string]string, max int) {
	if len(ext) > max {
		fe.Add("ext", MsgTooMany)
	}
	for k, v := range ext {
		if !validExtKey(k) {
			fe.Add("ext."+k, MsgInvalid)
		}
		checkLen(fe, "ext."+k, v, MaxLongText)
	}
}
