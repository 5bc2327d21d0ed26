package walcu

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"forecourt/internal/core"
)

// WQL, the "user readable search" of the search parameter (the document
// names it and nothing more; docs/walcu.md is its reference):
//
//	search  = or
//	or      = and { "OR" and }
//	and     = unary { ["AND"] unary }        (side by side is AND)
//	unary   = ("NOT" | "-") unary | "(" or ")" | term
//	term    = field ":" [op] value | text
//	op      = ">" | ">=" | "<" | "<=" | "!" | "~"
//	value   = word | "quoted text" | word "," word …   (a list: any of them)
//	field   = a dotted path, as in q ("status.status", "car_list.car.make"),
//	          or a shorthand of one ("status", "car.make": wqlshorthand.go)
//	text    = word | "quoted text"
//
// field:value is equality (a date: that whole day, UTC); ":>" ":>=" ":<"
// ":<=" compare; ":!" is "not equal"; ":~" finds the text as a substring,
// case aside; field:* says the field has a value. A text alone is found
// anywhere the collection's search looks (for leads: the client's names,
// phones and e-mails, the vehicles, plates, VINs and notes): every word of
// it must be found. AND, OR and NOT are upper-case; lower-case they are
// words.

// Bounds of a WQL search.
const (
	maxWQL      = 2000 // bytes
	maxWQLTerms = 100
)

type wqlToken struct {
	kind  int // wqlWord, wqlQuoted, wqlOpen, wqlClose
	text  string
	at    int
	field string // for a term: its field
	op    string // and operator
}

const (
	wqlWord = iota
	wqlQuoted
	wqlOpen
	wqlClose
	wqlTerm // field:value
)

// parseWQL translates a WQL search into a core condition.
func parseWQL(req *request, s string) (core.Cond, error) {
	if len(s) > maxWQL {
		return core.Cond{}, invalidField("search", fmt.Sprintf("longer than %d bytes", maxWQL))
	}
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return core.Cond{}, invalidField("search", "not valid text")
	}
	toks, err := lexWQL(s)
	if err != nil {
		return core.Cond{}, err
	}
	if len(toks) > maxWQLTerms {
		return core.Cond{}, invalidField("search", fmt.Sprintf("more than %d terms", maxWQLTerms))
	}
	p := &wqlParser{req: req, toks: toks}
	c, err := p.or(0)
	if err != nil {
		return core.Cond{}, err
	}
	if p.pos < len(p.toks) {
		return core.Cond{}, invalidField("search", fmt.Sprintf("unexpected %q at %d", p.toks[p.pos].text, p.toks[p.pos].at))
	}
	return c, nil
}

func lexWQL(s string) ([]wqlToken, error) {
	var toks []wqlToken
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case r == '(' || r == ')':
			k := wqlOpen
			if r == ')' {
				k = wqlClose
			}
			toks = append(toks, wqlToken{kind: k, text: string(r), at: i})
			i++
		case r == '"':
			text, n, err := quoted(s, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, wqlToken{kind: wqlQuoted, text: text, at: i})
			i = n
		default:
			start := i
			for i < len(s) {
				r, size := utf8.DecodeRuneInString(s[i:])
				if unicode.IsSpace(r) || r == '(' || r == ')' || r == '"' || r == ':' {
					break
				}
				i += size
			}
			word := s[start:i]
			if i < len(s) && s[i] == ':' && len(word) > 1 && word[0] == '-' {
				// -field:value is NOT field:value
				toks = append(toks, wqlToken{kind: wqlWord, text: "-", at: start})
				word, start = word[1:], start+1
			}
			if i < len(s) && s[i] == ':' && word != "" && !strings.HasPrefix(word, "-") {
				// field:[op]value
				i++
				op := ""
				for _, o := range []string{">=", "<=", ">", "<", "!", "~"} {
					if strings.HasPrefix(s[i:], o) {
						op, i = o, i+len(o)
						break
					}
				}
				var value string
				if i < len(s) && s[i] == '"' {
					text, n, err := quoted(s, i)
					if err != nil {
						return nil, err
					}
					value, i = text, n
					// a list may follow: "a b",c
					for i < len(s) && s[i] == ',' {
						j := i + 1
						for j < len(s) && !unicode.IsSpace(rune(s[j])) && s[j] != '(' && s[j] != ')' {
							j++
						}
						value += "\x00" + s[i+1:j]
						i = j
					}
				} else {
					j := i
					for j < len(s) {
						r, size := utf8.DecodeRuneInString(s[j:])
						if unicode.IsSpace(r) || r == '(' || r == ')' {
							break
						}
						j += size
					}
					value = strings.ReplaceAll(s[i:j], ",", "\x00")
					i = j
				}
				if value == "" {
					return nil, invalidField("search", fmt.Sprintf("no value after %q at %d", word+":", start))
				}
				toks = append(toks, wqlToken{kind: wqlTerm, text: value, field: word, op: op, at: start})
				continue
			}
			if word == "" { // a lone ':'
				return nil, invalidField("search", fmt.Sprintf("unexpected ':' at %d", i))
			}
			toks = append(toks, wqlToken{kind: wqlWord, text: word, at: start})
		}
	}
	return toks, nil
}

// quoted reads the quoted text starting at s[i] ('"'), with \" and \\
// escapes, and returns it and the index after it.
func quoted(s string, i int) (string, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if j+1 < len(s) {
				j++
				b.WriteByte(s[j])
			}
		case '"':
			return b.String(), j + 1, nil
		default:
			b.WriteByte(s[j])
		}
	}
	return "", 0, invalidField("search", fmt.Sprintf("unclosed quote at %d", i))
}

type wqlParser struct {
	req  *request
	toks []wqlToken
	pos  int
}

func (p *wqlParser) peekWord(w string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].kind == wqlWord && p.toks[p.pos].text == w
}

func (p *wqlParser) or(depth int) (core.Cond, error) {
	c, err := p.and(depth)
	if err != nil {
		return core.Cond{}, err
	}
	parts := []core.Cond{c}
	for p.peekWord("OR") {
		p.pos++
		c, err := p.and(depth)
		if err != nil {
			return core.Cond{}, err
		}
		parts = append(parts, c)
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return core.Or(parts...), nil
}

func (p *wqlParser) and(depth int) (core.Cond, error) {
	var parts []core.Cond
	for p.pos < len(p.toks) {
		t := p.toks[p.pos]
		if t.kind == wqlClose || (t.kind == wqlWord && t.text == "OR") {
			break
		}
		if t.kind == wqlWord && t.text == "AND" {
			if len(parts) == 0 {
				return core.Cond{}, invalidField("search", fmt.Sprintf("AND without a term before it at %d", t.at))
			}
			p.pos++
			continue
		}
		c, err := p.unary(depth)
		if err != nil {
			return core.Cond{}, err
		}
		parts = append(parts, c)
	}
	if len(parts) == 0 {
		at := len(p.toks)
		if p.pos < len(p.toks) {
			at = p.toks[p.pos].at
		}
		return core.Cond{}, invalidField("search", fmt.Sprintf("a term is missing at %d", at))
	}
	// the free texts side by side are one text search
	var texts []string
	var conds []core.Cond
	for _, c := range parts {
		if c.Op == core.OpMatch {
			texts = append(texts, c.Value.(string))
			continue
		}
		conds = append(conds, c)
	}
	if texts != nil {
		conds = append(conds, core.Match(strings.Join(texts, " ")))
	}
	return core.And(conds...), nil
}

func (p *wqlParser) unary(depth int) (core.Cond, error) {
	if depth > maxQDepth {
		return core.Cond{}, invalidField("search", "nested too deep")
	}
	t := p.toks[p.pos]
	switch {
	case t.kind == wqlWord && (t.text == "NOT" || t.text == "-"):
		p.pos++
		if p.pos >= len(p.toks) {
			return core.Cond{}, invalidField("search", fmt.Sprintf("NOT without a term after it at %d", t.at))
		}
		c, err := p.unary(depth + 1)
		if err != nil {
			return core.Cond{}, err
		}
		return core.Not(c), nil
	case t.kind == wqlWord && strings.HasPrefix(t.text, "-") && len(t.text) > 1:
		p.pos++
		return core.Not(core.Match(t.text[1:])), nil
	case t.kind == wqlOpen:
		p.pos++
		c, err := p.or(depth + 1)
		if err != nil {
			return core.Cond{}, err
		}
		if p.pos >= len(p.toks) || p.toks[p.pos].kind != wqlClose {
			return core.Cond{}, invalidField("search", fmt.Sprintf("unclosed parenthesis at %d", t.at))
		}
		p.pos++
		return c, nil
	case t.kind == wqlClose:
		return core.Cond{}, invalidField("search", fmt.Sprintf("unexpected ')' at %d", t.at))
	case t.kind == wqlTerm:
		p.pos++
		return p.term(t)
	}
	p.pos++
	return core.Match(t.text), nil
}

// term translates field:[op]value.
func (p *wqlParser) term(t wqlToken) (core.Cond, error) {
	path := wqlField(p.req.coll, t.field)
	f, err := p.req.b.field(p.req, path)
	if err != nil {
		return core.Cond{}, wqlErr(err, path, t.field)
	}
	c, err := p.termOf(t, path, f)
	return splitCar(foldCase(c, f), f), err
}

// termOf translates term t on field f at path.
func (p *wqlParser) termOf(t wqlToken, path string, f qfield) (core.Cond, error) {
	at := "search." + t.field
	if t.text == "*" && t.op == "" {
		return core.Cond{Op: core.OpExists, Field: f.core, Value: true}, nil
	}
	values := strings.Split(t.text, "\x00")
	if t.op == "~" {
		if f.kind != kString || len(values) != 1 {
			return core.Cond{}, invalidField(at, ":~ finds one text in a text field")
		}
		return core.Contains(f.core, values[0]), nil
	}
	if len(values) > 1 {
		if t.op != "" && t.op != "!" {
			return core.Cond{}, invalidField(at, "a list of values compares by equality only")
		}
		vals := make([]any, 0, len(values))
		for _, s := range values {
			v, err := p.value(f, s, at)
			if err != nil {
				return core.Cond{}, wqlErr(err, path, t.field)
			}
			vals = append(vals, v)
		}
		if t.op == "!" {
			return core.Cond{Op: core.OpNin, Field: f.core, Values: vals}, nil
		}
		return core.Cond{Op: core.OpIn, Field: f.core, Values: vals}, nil
	}
	v, err := p.value(f, values[0], at)
	if err != nil {
		return core.Cond{}, wqlErr(err, path, t.field)
	}
	if tm, ok := v.(time.Time); ok && t.op == "" && len(values[0]) == len("2006-01-02") && f.conv == nil {
		// a day: from its start to the next's
		return core.And(core.Cond{Op: core.OpGte, Field: f.core, Value: tm}, core.Cond{Op: core.OpLt, Field: f.core, Value: tm.AddDate(0, 0, 1)}), nil
	}
	op := map[string]core.Op{"": core.OpEq, "!": core.OpNe, ">": core.OpGt, ">=": core.OpGte, "<": core.OpLt, "<=": core.OpLte}[t.op]
	return core.Cond{Op: op, Field: f.core, Value: v}, nil
}

// value reads a WQL value as q reads a JSON one of the field's type.
func (p *wqlParser) value(f qfield, s, at string) (any, error) {
	var v any = s
	switch f.kind {
	case kNumber:
		v = jsonNumber(s)
	case kBool:
		switch strings.ToLower(s) {
		case "true":
			v = true
		case "false":
			v = false
		}
	}
	return p.req.value(f, v, at)
}
