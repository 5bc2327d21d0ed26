package web

import (
	"bytes"
	"html/template"
	"sync"
)

// labelsTemplate holds the words of templates/labels.html alone, for label.
var labelsTemplate = template.Must(template.New("labels").ParseFS(templateFS, "templates/labels.html"))

// labelCache holds label's answers: the key is the template's name and a
// code of one of the core's fixed lists (task types, media), so it is
// bounded by those lists.
var labelCache sync.Map

// label is the words labels.html's template name gives code, rendered
// once: a select of the core's codes (on every lead's page) would run the
// template's chain of comparisons for each option of each page. Only for
// the core's fixed lists of codes, never for a value from a request or the
// database (the cache would grow with them).
func label(name string, code string) (template.HTML, error) {
	key := name + "\x00" + code
	if v, ok := labelCache.Load(key); ok {
		return v.(template.HTML), nil
	}
	var buf bytes.Buffer
	if err := labelsTemplate.ExecuteTemplate(&buf, name, code); err != nil {
		return "", err
	}
	h := template.HTML(buf.String()) // html/template's own escaped output
	labelCache.Store(key, h)
	return h, nil
}

// choice is one option of a select of the core's codes, with whether the
// form had it chosen.
type choice struct {
	Code     string
	Selected bool
}

// choices are the options of a select of codes, chosen the one equal to
// chosen.
func choices[T ~string](codes []T, chosen string) []choice {
	out := make([]choice, len(codes))
	for i, c := range codes {
		out[i] = choice{Code: string(c), Selected: string(c) == chosen}
	}
	return out
}
