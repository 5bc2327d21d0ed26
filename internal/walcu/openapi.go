package walcu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// The OpenAPI description of this API as forecourt serves it (OpenAPI
// 3.0.3), built from the same schemas that check bodies
// (schemas/*.json), so that it cannot drift from them: every route with
// its operationId (Route.Name), each collection's document, the list's
// parameters, the export job, the error shape, and every status an
// operation answers. It is served at GET /.well-known/service-desc
// without a credential. A test checks every route against it and every
// answer of the package's tests against its schema.

var (
	openAPIOnce sync.Once
	openAPIJSON []byte
)

// OpenAPI returns the OpenAPI description, as JSON.
func OpenAPI() []byte {
	openAPIOnce.Do(func() {
		b, err := json.MarshalIndent(openAPIDoc(), "", "  ")
		if err != nil {
			panic("walcu: openapi: " + err.Error())
		}
		openAPIJSON = b
	})
	return openAPIJSON
}

func (h *handler) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(OpenAPI())
	return err
}

type obj = map[string]any

// shapeSchema is the JSON Schema of a shape. Every value may be null (the
// document's examples do not say which are required; the server renders
// null for what it has not).
func shapeSchema(s *shape) obj {
	out := obj{"nullable": true}
	switch s.kind {
	case kString:
		out["type"] = "string"
	case kDate:
		out["type"], out["format"] = "string", "date-time"
	case kNumber:
		out["type"] = "number"
	case kBool:
		out["type"] = "boolean"
	case kArray:
		out["type"], out["items"] = "array", shapeSchema(s.elem)
	case kObject:
		props := obj{}
		for k, f := range s.fields {
			props[k] = shapeSchema(f)
		}
		out["type"], out["properties"], out["additionalProperties"] = "object", props, false
	}
	return out
}

// documentSchema is a collection's document: its shape, with the
// envelope's fields as the server renders them.
func documentSchema(c *collection) obj {
	s := shapeSchema(c.doc)
	delete(s, "nullable")
	props := s["properties"].(obj)
	props["_id"] = obj{"type": "string"}
	props["__v"] = obj{"type": "integer", "minimum": 0}
	props["dealer_id"] = obj{"type": "string"}
	props["created_at"] = obj{"type": "string", "format": "date-time"}
	props["updated_at"] = obj{"type": "string", "format": "date-time"}
	props["updated_by"] = obj{"type": "string", "nullable": true}
	if _, ok := props["computed"]; !ok {
		props["computed"] = obj{"type": "object", "properties": obj{"_id": obj{"type": "string"}}, "additionalProperties": false}
	}
	return s
}

// bodySchema is what a POST or PUT takes: the document; the server's
// fields may be sent and are ignored.
func bodySchema(c *collection) obj {
	s := shapeSchema(c.doc)
	delete(s, "nullable")
	return s
}

func ref(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }

func jsonContent(schema obj) obj {
	return obj{"application/json": obj{"schema": schema}}
}

func response(desc string, schema obj) obj {
	return obj{"description": desc, "content": jsonContent(schema)}
}

// errorResponses are the errors every authenticated operation may answer.
func errorResponses(extra ...string) obj {
	out := obj{
		"400": response("Bad input: fields names each field, parameter, operator or JSON Patch operation at fault", ref("Error")),
		"401": response("No credential, or a bad one", ref("Error")),
		"404": response("No such dealer or document for this credential", ref("Error")),
		"405": response("Method not allowed on this path", ref("Error")),
		"429": response("Too many requests", ref("Error")),
		"500": response("Internal error", ref("Error")),
		"501": response("Not served yet", ref("Error")),
		"503": response("The database is unavailable", ref("Error")),
	}
	for _, s := range extra {
		switch s {
		case "409":
			out[s] = response("The document changed since it was read (__v), a test operation failed, or the record is in use or exists", ref("Error"))
		case "413":
			out[s] = response("The body is too large", ref("Error"))
		}
	}
	return out
}

func withSuccess(status string, r obj, errs obj) obj {
	errs[status] = r
	return errs
}

func openAPIDoc() obj {
	schemas := obj{
		"Error": obj{"type": "object", "required": []string{"status", "error", "message"}, "additionalProperties": false,
			"properties": obj{
				"status":  obj{"type": "integer"},
				"error":   obj{"type": "string", "enum": []string{"invalid", "unauthorized", "forbidden", "not_found", "method_not_allowed", "conflict", "too_large", "throttled", "unavailable", "internal", "not_implemented"}},
				"message": obj{"type": "string"},
				"fields":  obj{"type": "object", "additionalProperties": obj{"type": "string"}},
			}},
		"Deleted": obj{"type": "object", "required": []string{"_id"}, "additionalProperties": false, "properties": obj{"_id": obj{"type": "string"}}},
		"Job": obj{"type": "object", "required": []string{"_id", "dealer_id", "status", "job_url"}, "additionalProperties": false, "properties": obj{
			"_id": obj{"type": "string"}, "dealer_id": obj{"type": "string"},
			"status":     obj{"type": "string", "enum": []string{"queued", "running", "done", "failed"}},
			"job_url":    obj{"type": "string", "description": "GET it: 202 and this job while it runs, then 200 and the documents"},
			"collection": obj{"type": "string"}, "count": obj{"type": "integer", "minimum": 0, "description": "documents written so far"},
			"created_at": obj{"type": "string"}, "expires_at": obj{"type": "string", "description": "when the job and its result are deleted"},
			"finished_at": obj{"type": "string"}}},
		"Group": obj{"type": "object", "required": []string{"_id", "count"}, "additionalProperties": false, "properties": obj{
			"_id": obj{"nullable": true}, "count": obj{"type": "integer", "minimum": 0}}},
		"JSONPatch": obj{"type": "array", "maxItems": maxPatchOps, "items": obj{"type": "object", "required": []string{"op", "path"},
			"properties": obj{
				"op":    obj{"type": "string", "enum": []string{"add", "remove", "replace", "move", "copy", "test"}},
				"path":  obj{"type": "string"},
				"from":  obj{"type": "string"},
				"value": obj{"nullable": true},
			}}},
	}
	idParam := obj{"name": "id", "in": "path", "required": true, "schema": obj{"type": "string"}, "description": "the document's _id; \"all\" on GET starts an export"}
	dealerParam := obj{"name": "dealer_id", "in": "path", "required": true, "schema": obj{"type": "string"}, "description": "the dealer's id (or public id)"}
	listParams := []obj{
		{"name": "q", "in": "query", "schema": obj{"type": "string", "maxLength": maxParam}, "description": "a MongoDB filter, as JSON; also as q[<path>]=<value>, q[<path>][$gte]=<value> (deepObject, qs) or <path>=<value> (form, exploded)"},
		{"name": "search", "in": "query", "schema": obj{"type": "string", "maxLength": maxWQL}, "description": "WQL (docs/walcu.md)"},
		{"name": "skip", "in": "query", "schema": obj{"type": "integer", "minimum": 0, "maximum": maxSkip, "default": 0}},
		{"name": "limit", "in": "query", "schema": obj{"type": "integer", "minimum": 1, "maximum": maxLimit, "default": defaultLimit},
			"description": "at most 50 for the three collections of leads (whole leads in one answer), 1000 for the others"},
		{"name": "sort", "in": "query", "schema": obj{"type": "string"}, "description": "Mongoose: -created_at status (_id: creation order)"},
		{"name": "project", "in": "query", "schema": obj{"type": "string"}, "description": "Mongoose: status client_id, or -computed"},
		{"name": "group_by", "in": "query", "schema": obj{"type": "string"}, "description": "a path, or {\"<key>\": \"<path>\"}, or group_by[<key>]=<path>: counts per value"},
	}
	paths := obj{}
	for _, name := range collectionNames {
		c := collections[name]
		docName := strings.ToUpper(c.singular[:1]) + c.singular[1:]
		schemas[docName] = documentSchema(c)
		schemas[docName+"Body"] = bodySchema(c)
		one := prefix + name + "/{id}"
		list := prefix + name
		paths[one] = obj{
			"parameters": []obj{dealerParam, idParam},
			"get": obj{"operationId": name + "." + opGet, "tags": []string{name},
				"summary":    "The document (an array of one), or with id \"all\" an export job (an array of one)",
				"parameters": exportParams(listParams),
				"responses":  withSuccess("200", response("The document, or the export job", obj{"type": "array", "minItems": 1, "maxItems": 1, "items": obj{"anyOf": []obj{ref(docName), ref("Job")}}}), errorResponses())},
			"delete": obj{"operationId": name + "." + opDelete, "tags": []string{name}, "summary": "Deletes the document",
				"responses": withSuccess("200", response("Its _id", ref("Deleted")), errorResponses("409"))},
			"patch": obj{"operationId": name + "." + opPatch, "tags": []string{name}, "summary": "Applies a JSON Patch (RFC 6902)",
				"requestBody": obj{"required": true, "content": jsonContent(ref("JSONPatch"))},
				"responses":   withSuccess("200", response("The document", ref(docName)), errorResponses("409", "413"))},
			"put": obj{"operationId": name + "." + opPut, "tags": []string{name}, "summary": "Replaces the document; __v, when sent, is the version read",
				"requestBody": obj{"required": true, "content": jsonContent(ref(docName + "Body"))},
				"responses":   withSuccess("200", response("The document", ref(docName)), errorResponses("409", "413"))},
		}
		paths[list] = obj{
			"parameters": []obj{dealerParam},
			"get": obj{"operationId": name + "." + opList, "tags": []string{name}, "summary": "A page of documents (header mapp-has-more), or with group_by the counts",
				"parameters": listParamsOf(name, listParams),
				"responses": withSuccess("200", obj{"description": "The documents, or the groups",
					"headers": obj{"mapp-has-more": obj{"schema": obj{"type": "string", "enum": []string{"true", "false"}}}},
					"content": jsonContent(obj{"type": "array", "items": obj{"anyOf": []obj{ref(docName), ref("Group")}}})}, errorResponses())},
			"post": obj{"operationId": name + "." + opCreate, "tags": []string{name}, "summary": "Creates a document",
				"requestBody": obj{"required": true, "content": jsonContent(ref(docName + "Body"))},
				"responses":   withSuccess("200", response("The document created", ref(docName)), errorResponses("409", "413"))},
		}
	}
	paths[prefix+"jobs/{id}"] = obj{
		"parameters": []obj{dealerParam, idParam},
		"get": obj{"operationId": opJob, "tags": []string{"jobs"}, "summary": "An export job's progress, then its result",
			"responses": withSuccess("202", obj{"description": "The job, queued or running (header Retry-After)",
				"headers": obj{"Retry-After": obj{"schema": obj{"type": "string"}}},
				"content": jsonContent(obj{"type": "array", "minItems": 1, "maxItems": 1, "items": ref("Job")})},
				withSuccess("200", obj{"description": "The documents the export selected, projected (header x-export-count)",
					"headers": obj{"x-export-count": obj{"schema": obj{"type": "string"}}},
					"content": jsonContent(obj{"type": "array", "items": obj{"type": "object"}})}, errorResponses()))},
	}
	paths["/.well-known/service-desc"] = obj{
		"get": obj{"operationId": opOpenAPI, "tags": []string{"meta"}, "summary": "This description", "security": []obj{},
			"responses": obj{"200": response("The OpenAPI description", obj{"type": "object"}), "405": response("Method not allowed", ref("Error"))}},
	}
	var tags []obj
	for _, n := range slices.Concat(collectionNames, []string{"jobs", "meta"}) {
		tags = append(tags, obj{"name": n})
	}
	return obj{
		"openapi": "3.0.3",
		"info": obj{"title": "Walcu CRM API, as forecourt serves it", "version": "0.0.2",
			"description": "The Walcu CRM API over forecourt's core. Decisions, mappings and WQL: docs/walcu.md."},
		"tags":  tags,
		"paths": paths,
		"components": obj{
			"schemas":         schemas,
			"securitySchemes": obj{"bearer": obj{"type": "http", "scheme": "bearer", "description": "a user's login token or a dealer's API key"}},
		},
		"security": []obj{{"bearer": []string{}}},
	}
}

// listParamsOf is the list's parameters of collection: limit bounded as
// limitOf says.
func listParamsOf(collection string, ps []obj) []obj {
	out := make([]obj, len(ps))
	for i, p := range ps {
		if p["name"] == "limit" {
			p = obj{"name": "limit", "in": "query", "description": p["description"],
				"schema": obj{"type": "integer", "minimum": 1, "maximum": limitOf(collection), "default": defaultLimit}}
		}
		out[i] = p
	}
	return out
}

// exportParams are the parameters of GET /{collection}/{id}: the list's
// filters, for the id "all" (an export) only.
func exportParams(ps []obj) []obj {
	var out []obj
	for _, p := range ps {
		switch p["name"] {
		case "q", "search", "sort", "project":
			c := obj{}
			for k, v := range p {
				c[k] = v
			}
			c["description"] = fmt.Sprint("with the id \"all\" only: ", p["description"])
			out = append(out, c)
		}
	}
	return out
}
