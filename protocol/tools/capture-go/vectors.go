// Turns captured payloads into vector cases (protocol/vectors/README.md):
// the decoded `value`, the quirk `warnings`, whether an encoder following
// PROTOCOL.md gives the same bytes back (`reencode`), and the file writer.
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// kv and obj build JSON objects whose key order we choose, for `value`.
type kv struct {
	K string
	V interface{}
}

type obj []kv

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(plain(p.K))
		b.WriteByte(':')
		b.Write(plain(p.V))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// plain encodes without HTML escaping, for the readable `value` fields.
func plain(v interface{}) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	must(enc.Encode(v))
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// parse decodes JSON keeping numbers as written.
func parse(b []byte) (interface{}, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v interface{}
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("trailing data")
	}
	return v, nil
}

// decode gives the README's `value`, the warnings, and the bytes an encoder
// following PROTOCOL.md (Go's encoding/json dialect) writes for that value.
func decode(kind string, payload []byte) (value interface{}, warnings []string, reenc []byte) {
	warnings = []string{}
	switch kind {
	case "handshake":
		if string(payload) != "handshake" {
			panic(fmt.Sprintf("handshake: unexpected %q", payload))
		}
		return obj{{"handshake", true}}, warnings, []byte("handshake")
	case "answer":
		if string(payload) == "ok" {
			return obj{{"ok", true}}, warnings, payload
		}
		return obj{{"ok", false}, {"error", string(payload)}}, warnings, payload
	case "source-envelope":
		v, err := parse(payload)
		must(err)
		if s, ok := v.(string); ok {
			warnings = append(warnings, "error-as-string")
			inner, err := parse([]byte(s))
			m, isObj := inner.(map[string]interface{})
			text, isStr := m["error"].(string)
			if err != nil || !isObj || !isStr {
				warnings = append(warnings, "error-string-unparsable")
				text = s
			}
			return obj{{"type", "error"}, {"error", text}}, warnings,
				marshal(struct {
					Error string `json:"error"`
				}{text})
		}
		m := v.(map[string]interface{})
		return obj{{"type", "data"}, {"message", m["message"]}, {"meta", m["meta"]}}, warnings,
			marshal(struct {
				Message interface{} `json:"message"`
				Meta    interface{} `json:"meta"`
			}{m["message"], m["meta"]})
	case "func-reply":
		v, err := parse(payload)
		must(err)
		m := v.(map[string]interface{})
		return obj{{"state", m["state"]}, {"result", m["result"]}}, warnings,
			marshal(struct {
				State  interface{} `json:"state"`
				Result interface{} `json:"result"`
			}{m["state"], m["result"]})
	}
	panic("unknown kind " + kind)
}

type vcase struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	SDKVersions []string        `json:"sdkVersions"`
	Hex         string          `json:"hex"`
	Text        string          `json:"text"`
	Value       json.RawMessage `json:"value"`
	Reencode    bool            `json:"reencode"`
	Warnings    []string        `json:"warnings"`
}

type vfile struct {
	Kind       string  `json:"kind"`
	Producer   string  `json:"producer"`
	Provenance string  `json:"provenance"`
	How        string  `json:"how"`
	Cases      []vcase `json:"cases"`
}

func mkCase(kind string, c captured, versions []string) vcase {
	value, warnings, reenc := decode(kind, c.payload)
	return vcase{
		Name:        c.name,
		Description: c.desc,
		SDKVersions: versions,
		Hex:         hex.EncodeToString(c.payload),
		Text:        string(c.payload),
		Value:       plain(value),
		Reencode:    bytes.Equal(reenc, c.payload),
		Warnings:    warnings,
	}
}

func writeFile(dir, kind, how string, cases []vcase) {
	f := vfile{Kind: kind, Producer: "go-sdk", Provenance: "captured", How: how, Cases: cases}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	must(enc.Encode(f))
	p := filepath.Join(dir, kind+".json")
	must(os.WriteFile(p, b.Bytes(), 0o644))
	fmt.Printf("%-40s %2d cases\n", p, len(cases))
}
