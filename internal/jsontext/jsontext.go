// Package jsontext checks JSON text for what encoding/json reads silently
// wrong: a \u escape of a lone UTF-16 surrogate ("\ud800", or a high
// surrogate not followed by a low one), which it decodes as U+FFFD, so
// that a client's invalid text would be stored as another text. The API
// packages refuse such text, each in its own error shape.
package jsontext

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// LoneSurrogate returns the first lone surrogate that the JSON text data
// (one value or a whole document, already known to be valid JSON) escapes
// in a string, and whether there is one. In valid JSON a backslash appears
// only inside strings, so every backslash starts an escape.
func LoneSurrogate(data []byte) (rune, bool) {
	for i := bytes.IndexByte(data, '\\'); i >= 0; {
		if i+1 >= len(data) {
			return 0, false
		}
		if data[i+1] != 'u' {
			i = next(data, i+2)
			continue
		}
		r, ok := hex4(data, i+2)
		switch {
		case !ok:
			i = next(data, i+2)
		case r >= 0xD800 && r <= 0xDBFF:
			if i+7 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
				if lo, ok := hex4(data, i+8); ok && lo >= 0xDC00 && lo <= 0xDFFF {
					i = next(data, i+12)
					continue
				}
			}
			return r, true
		case r >= 0xDC00 && r <= 0xDFFF:
			return r, true
		default:
			i = next(data, i+6)
		}
	}
	return 0, false
}

// next returns the index of the first backslash of data at or after from,
// or -1.
func next(data []byte, from int) int {
	if from >= len(data) {
		return -1
	}
	j := bytes.IndexByte(data[from:], '\\')
	if j < 0 {
		return -1
	}
	return from + j
}

// hex4 reads the four hexadecimal digits of data at i.
func hex4(data []byte, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(data[i:i+4]), 16, 32)
	return rune(n), err == nil
}

// FindLoneSurrogate walks the JSON document data and returns the path to
// the first string (a member's name or a value) that escapes a lone
// surrogate: the names of the members and the indexes of the list items
// that lead to it, the surrogate, and whether there is one. A document
// that is not valid JSON has none (its parser reports it).
func FindLoneSurrogate(data []byte) (path []string, r rune, ok bool) {
	if _, found := LoneSurrogate(data); !found || !json.Valid(data) {
		return nil, 0, false // the usual case: one scan, no decoding
	}
	type frame struct {
		object bool
		key    string // the member being read, in an object
		index  int    // the item being read, in a list
		name   bool   // an object expects a member's name next
	}
	var stack []frame
	at := func() []string {
		p := make([]string, 0, len(stack))
		for _, f := range stack {
			if f.object {
				p = append(p, f.key)
			} else {
				p = append(p, strconv.Itoa(f.index))
			}
		}
		return p
	}
	// valueDone moves the enclosing container past the value just read.
	valueDone := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].name = true
			} else {
				stack[n-1].index++
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var offset int64
	for {
		tok, err := dec.Token()
		if err != nil { // io.EOF: none found
			return nil, 0, false
		}
		end := dec.InputOffset()
		raw := data[offset:end]
		offset = end
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{object: true, name: true})
			case '[':
				stack = append(stack, frame{index: 0})
			case '}', ']':
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			n := len(stack)
			isName := n > 0 && stack[n-1].object && stack[n-1].name
			if isName {
				stack[n-1].key, stack[n-1].name = t, false
			}
			if r, found := LoneSurrogate(raw); found {
				return at(), r, true
			}
			if !isName {
				valueDone()
			}
		default:
			valueDone()
		}
	}
}
