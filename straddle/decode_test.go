package straddle

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// Tests of the one-pass decoding (wire.go): the wire forms it decodes into
// share the models' memory layout, and whatever it decodes, the long way
// decodes to the same result.

func TestOnePassFormsHaveTheLayoutOfTheModels(t *testing.T) {
	// Wire field types allowed to stand for a model's: the same layout, read
	// differently.
	stand := map[[2]reflect.Type]bool{
		{reflect.TypeFor[timestamp](), reflect.TypeFor[time.Time]()}:                               true,
		{reflect.TypeFor[*profileOnePass](), reflect.TypeFor[*MaskedComplianceProfile]()}:          true,
		{reflect.TypeFor[*deviceOnePass](), reflect.TypeFor[*MaskedDevice]()}:                      true,
		{reflect.TypeFor[maskedOnePass](), reflect.TypeFor[Masked]()}:                              true,
		{reflect.TypeFor[piiRef](), reflect.TypeFor[piiRef]()}:                                     true,
		{reflect.TypeFor[map[string]string](), reflect.TypeFor[map[string]string]()}:               true,
		{reflect.TypeFor[*Address](), reflect.TypeFor[*Address]()}:                                 true,
		{reflect.TypeFor[*Config](), reflect.TypeFor[*Config]()}:                                   true,
		{reflect.TypeFor[CustomerType](), reflect.TypeFor[CustomerType]()}:                         true,
		{reflect.TypeFor[CustomerStatus](), reflect.TypeFor[CustomerStatus]()}:                     true,
		{reflect.TypeFor[string](), reflect.TypeFor[CustomerType]()}:                               true,
		{reflect.TypeFor[string](), reflect.TypeFor[CustomerStatus]()}:                             true,
		{reflect.TypeFor[string](), reflect.TypeFor[string]()}:                                     true,
		{reflect.TypeFor[timestamp](), reflect.TypeFor[timestamp]()}:                               false,
		{reflect.TypeFor[*MaskedComplianceProfile](), reflect.TypeFor[*MaskedComplianceProfile]()}: false,
	}
	for _, pair := range [][2]reflect.Type{
		{reflect.TypeFor[summaryWire](), reflect.TypeFor[CustomerSummary]()},
		{reflect.TypeFor[customerOnePass](), reflect.TypeFor[Customer]()},
		{reflect.TypeFor[deviceOnePass](), reflect.TypeFor[MaskedDevice]()},
		{reflect.TypeFor[maskedOnePass](), reflect.TypeFor[Masked]()},
	} {
		wire, model := pair[0], pair[1]
		if wire.Size() != model.Size() || wire.Align() != model.Align() || wire.NumField() != model.NumField() {
			t.Errorf("%v has %d fields in %d bytes, %v %d in %d", wire, wire.NumField(), wire.Size(), model, model.NumField(), model.Size())
			continue
		}
		for i := range wire.NumField() {
			w, m := wire.Field(i), model.Field(i)
			jsonName := func(f reflect.StructField) string { name, _, _ := strings.Cut(f.Tag.Get("json"), ","); return name }
			if w.Name != m.Name || w.Offset != m.Offset || jsonName(w) != jsonName(m) || !stand[[2]reflect.Type{w.Type, m.Type}] {
				t.Errorf("%v.%s (%v at %d, json %q) does not stand for %v.%s (%v at %d, json %q)",
					wire, w.Name, w.Type, w.Offset, jsonName(w), model, m.Name, m.Type, m.Offset, jsonName(m))
			}
		}
	}
}

// customerVariants are customer responses that take every branch of the one
// pass and of the long way: each fixture, and the individual one changed.
func customerVariants(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range []string{
		"getCustomer.200.individual.json", "getCustomer.200.zoneless-timestamps.json",
		"createCustomer.201.individual.json", "createCustomer.201.business-masked.json",
		"deleteCustomer.200.deleted.json", "updateCustomer.200.seed000.json", "updateCustomer.200.seed001.json",
		"decideCustomerReview.200.verified.json", "getCustomerReview.200.full.json", "listCustomers.200.page1-of-2.json",
	} {
		out[name] = readResponse(t, name)
	}
	base := string(readResponse(t, "getCustomer.200.individual.json"))
	profile := `{
      "dob": "****-**-**",
      "ssn": "***-**-****"
    }`
	if !strings.Contains(base, profile) {
		t.Fatal("the individual fixture changed: update customerVariants")
	}
	for name, edit := range map[string][2]string{
		"profile null":                {profile, `null`},
		"profile empty":               {profile, `{}`},
		"profile nulls":               {profile, `{"ssn": null, "dob": null}`},
		"profile upper-case key":      {profile, `{"SSN": "***-**-****"}`},
		"profile of both members":     {profile, `{"ssn": "***-**-****", "ein": "**-*******"}`},
		"profile of the other member": {profile, `{"ein": "**-*******", "legal_business_name": "Pawnee Parks", "website": "https://pawnee.example", "representatives": [{"name": "Ron"}]}`},
		"representatives null":        {profile, `{"representatives": null}`},
		"representatives wrong":       {profile, `{"representatives": {"name": "Ron"}}`},
		"website escaped":             {profile, `{"website": "https:\/\/pawnee.example\u00e9"}`},
		"website wrong":               {profile, `{"website": 5}`},
		"profile an array":            {profile, `["***-**-****"]`},
		"ssn unmasked":                {profile, `{"ssn": "123-45-6789"}`},
		"ssn escaped":                 {profile, `{"ssn": "\u002a\u002a\u002a-**-****"}`},
		"ssn a number":                {profile, `{"ssn": 123456789}`},
		"ssn empty":                   {profile, `{"ssn": ""}`},
		"type missing":                {`"type": "individual",`, ``},
		"type unknown, both members":  {`"type": "individual",`, `"type": "robot", "compliance_profile": {"ssn": null, "ein": null},`},
		"type business":               {`"type": "individual",`, `"type": "business",`},
		"ip unusual":                  {`"**.**.**.**"`, `"10.*.*.*"`},
		"ip null":                     {`"ip_address": "**.**.**.**"`, `"ip_address": null`},
		"device null":                 {`"device": {`, `"device": null, "x": {`},
		"id missing":                  {`"id": "019f3b3d-5816-77fb-8a9c-ad05f1654b00",`, ``},
		"name escaped":                {`"Leslie Knope"`, `"Leslie \"Knope\" \u00e9"`},
		"name a number":               {`"Leslie Knope"`, `5`},
		"timestamp with offset":       {`"created_at": "2026-07-07T06:21:43.8306543Z"`, `"created_at": "2026-07-07T01:21:43.8306543-05:00"`},
		"timestamp zoneless":          {`"created_at": "2026-07-07T06:21:43.8306543Z"`, `"created_at": "2026-07-07T06:21:43"`},
		"timestamp null":              {`"created_at": "2026-07-07T06:21:43.8306543Z"`, `"created_at": null`},
		"timestamp wrong":             {`"created_at": "2026-07-07T06:21:43.8306543Z"`, `"created_at": "yesterday"`},
		"metadata null":               {`"metadata": {`, `"metadata": null, "x": {`},
		"meta request id a number":    {`"api_request_id": "019f4209-44e3-738d-9279-8f6a0d5bb492"`, `"api_request_id": 5`},
		"meta null":                   {`"meta": {`, `"meta": null, "x": {`},
		"data null":                   {`"data": {`, `"data": null, "x": {`},
		"data missing":                {`"data": {`, `"x": {`},
		"data an array":               {`"data": {`, `"data": [], "x": {`},
	} {
		if !strings.Contains(base, edit[0]) {
			t.Fatalf("%s: the individual fixture has no %s", name, edit[0])
		}
		out[name] = []byte(strings.Replace(base, edit[0], edit[1], 1))
	}
	out["not JSON"] = []byte(base[:len(base)/2])
	return out
}

// pageVariants are list responses, likewise.
func pageVariants(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range []string{
		"listCustomers.200.page1-of-2.json", "listCustomers.200.page2-of-2.json", "listCustomers.200.seed004.json",
		"listCustomers.200.empty.json", "getCustomer.200.individual.json",
	} {
		out[name] = readResponse(t, name)
	}
	base := string(readResponse(t, "listCustomers.200.page1-of-2.json"))
	for name, edit := range map[string][2]string{
		"meta null":               {`"meta": {`, `"meta": null, "x": {`},
		"meta missing":            {`"meta": {`, `"x": {`},
		"meta page a string":      {`"page_number": 1`, `"page_number": "1"`},
		"data null":               {`"data": [`, `"data": null, "x": [`},
		"data missing":            {`"data": [`, `"x": [`},
		"data empty":              {`"data": [`, `"data": [], "x": [`},
		"data an object":          {`"data": [`, `"data": {}, "x": [`},
		"item null":               {`"data": [`, `"data": [null, `},
		"item timestamp wrong":    {`"2026-07-07T06:25:10.1234567Z"`, `"soon"`},
		"item timestamp zoneless": {`"2026-07-07T06:25:10.1234567Z"`, `"2026-07-07T06:25:10"`},
		"item name a number":      {`"Acme Anvils"`, `7`},
	} {
		if !strings.Contains(base, edit[0]) {
			t.Fatalf("%s: the page fixture has no %s", name, edit[0])
		}
		out[name] = []byte(strings.Replace(base, edit[0], edit[1], 1))
	}
	return out
}

// customerAgrees decodes body as a customer in one pass and the long way,
// and fails t unless a one-pass result is the long way's. It reports
// whether the one pass answered.
func customerAgrees(t *testing.T, name string, body []byte) bool {
	t.Helper()
	var one, long Customer
	m1, ok := decodeOnePass(body, &one, nil)
	m2, err := decodeLongWay(body, nil, &long, nil)
	if !ok {
		if !reflect.DeepEqual(one, Customer{}) {
			t.Errorf("%s: the one pass gave up but left %+v", name, one)
		}
		return false
	}
	if err != nil {
		t.Errorf("%s: the one pass decoded what the long way refuses (%v)", name, err)
	}
	if !reflect.DeepEqual(one, long) || m1 != m2 {
		t.Errorf("%s: one pass and long way disagree:\n%+v %+v\n%+v %+v", name, one, m1, long, m2)
	}
	return true
}

// pageAgrees does the same for a page of summaries and its meta.
func pageAgrees(t *testing.T, name string, body []byte) bool {
	t.Helper()
	var meta1, meta2 PageMeta
	one, long := make([]CustomerSummary, 0, 1), []CustomerSummary{}
	m1, ok := decodeOnePass(body, &one, &meta1)
	m2, err := decodeLongWay(body, nil, &long, &meta2)
	if !ok {
		if len(one) != 0 || meta1 != (PageMeta{}) {
			t.Errorf("%s: the one pass gave up but left %d items, meta %+v", name, len(one), meta1)
		}
		return false
	}
	if err != nil {
		t.Errorf("%s: the one pass decoded what the long way refuses (%v)", name, err)
	}
	if !reflect.DeepEqual(one, long) || meta1 != meta2 || m1 != m2 {
		t.Errorf("%s: one pass and long way disagree:\n%+v %+v %+v\n%+v %+v %+v", name, one, meta1, m1, long, meta2, m2)
	}
	return true
}

func TestOnePassAgreesWithTheLongWay(t *testing.T) {
	// The one pass must answer for these (or the client lost its speed), and
	// must leave these to the long way.
	customerOnePass := map[string]bool{
		"getCustomer.200.individual.json": true, "getCustomer.200.zoneless-timestamps.json": true,
		"createCustomer.201.individual.json": true, "createCustomer.201.business-masked.json": true,
		"deleteCustomer.200.deleted.json": true, "profile null": true, "profile empty": true,
		"profile of the other member": true, "representatives null": true, "ssn unmasked": true,
		"ip unusual": true, "timestamp with offset": true, "timestamp zoneless": true,
		"profile of both members": true, "type missing": true,
		"data null": false, "data missing": false, "id missing": false, "meta request id a number": false,
		"type unknown, both members": false, "ssn a number": false, "name a number": false,
		"timestamp wrong": false, "profile an array": false, "not JSON": false,
	}
	for name, body := range customerVariants(t) {
		got := customerAgrees(t, name, body)
		if want, ok := customerOnePass[name]; ok && got != want {
			t.Errorf("%s: one pass answered %v, want %v", name, got, want)
		}
	}
	pageOnePass := map[string]bool{
		"listCustomers.200.page1-of-2.json": true, "listCustomers.200.page2-of-2.json": true,
		"item timestamp zoneless":      true,
		"listCustomers.200.empty.json": false, "meta null": false, "meta missing": false, "data empty": false,
		"data null": false, "meta page a string": false, "item timestamp wrong": false,
	}
	for name, body := range pageVariants(t) {
		got := pageAgrees(t, name, body)
		if want, ok := pageOnePass[name]; ok && got != want {
			t.Errorf("%s: one pass answered %v, want %v", name, got, want)
		}
	}
}

func TestUsualMasksAreSharedNotAllocated(t *testing.T) {
	body := readResponse(t, "getCustomer.200.individual.json")
	var a, b Customer
	if _, err := decodeEnvelope(body, nil, &a, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := decodeEnvelope(body, nil, &b, nil); err != nil {
		t.Fatal(err)
	}
	ssnA, ssnB := a.ComplianceProfile.Individual.SSN, b.ComplianceProfile.Individual.SSN
	if ssnA.v != ssnB.v || a.Device.IPAddress.v != b.Device.IPAddress.v || ssnA.String() != "***-**-****" {
		t.Errorf("usual masks decoded to separate values: %p %p, %p %p", ssnA.v, ssnB.v, a.Device.IPAddress.v, b.Device.IPAddress.v)
	}
}

func TestPageDecodesIntoItsRoom(t *testing.T) {
	body := readResponse(t, "listCustomers.200.page1-of-2.json")
	room := make([]CustomerSummary, 0, 2)
	page := room
	var meta PageMeta
	if _, err := decodeEnvelope(body, nil, &page, &meta); err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 || unsafe.SliceData(page) != unsafe.SliceData(room) {
		t.Fatalf("a page of %d decoded into new memory (%d items), not its room", cap(room), len(page))
	}
	if page[0].ID != "019f3b40-7deb-752d-8cf3-4a14e4550930" || page[0].CreatedAt.IsZero() || meta.TotalPages != 2 {
		t.Errorf("decoded %+v, meta %+v", page[0], meta)
	}
	// Decoding a page allocates the strings of its items and nothing more per
	// item: no copy of the page, no growing of its slice.
	item := `{"id":"019f3b40-7deb-752d-8cf3-4a14e4550930","name":"Acme Anvils","type":"business","email":"billing@acme.example.com",` +
		`"phone":"+15055550100","status":"review","created_at":"2026-07-07T06:25:10.1234567Z","updated_at":"2026-07-07T06:25:10Z","external_id":"biz_7781"}`
	allocs := func(n int) float64 {
		body := []byte(`{"meta":{"api_request_id":"r","page_number":1,"total_pages":1},"data":[` + strings.Repeat(item+",", n-1) + item + `]}`)
		room := make([]CustomerSummary, 0, n)
		return testing.AllocsPerRun(10, func() {
			page, meta := room[:0], PageMeta{}
			if _, err := decodeEnvelope(body, nil, &page, &meta); err != nil || len(page) != n {
				t.Fatalf("%d items, %v", len(page), err)
			}
		})
	}
	if perItem := (allocs(200) - allocs(100)) / 100; perItem > 7 {
		t.Errorf("%v allocations per item, want at most 7: its strings", perItem)
	}
	for p, want := range map[*ListParams]int{nil: 100, {}: 100, {PageSize: 1}: 1, {PageSize: 1000}: 1000} {
		if got := pageRoom(p); got != want {
			t.Errorf("pageRoom(%+v) = %d, want %d", p, got, want)
		}
	}
}

// hasRepeatedKeys reports whether an object in body repeats a key, as
// encoding/json matches keys (ignoring case). JSON leaves what such an object
// means to the reader: the one pass merges repeated objects, the long way
// keeps the last, so they may differ there.
func hasRepeatedKeys(body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		object bool
		keys   []string
		key    bool // the next token is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.key {
			s, _ := tok.(string)
			for _, k := range top.keys {
				if strings.EqualFold(k, s) {
					return true
				}
			}
			top.keys = append(top.keys, s)
			top.key = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, key: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].object {
				stack[len(stack)-1].key = true
			}
		default:
			if top != nil && top.object {
				top.key = true
			}
		}
	}
}

func TestHasRepeatedKeys(t *testing.T) {
	for body, want := range map[string]bool{
		`{"a":1,"b":{"a":2}}`:         false,
		`{"a":1,"A":2}`:               true,
		`{"a":{"b":1,"b":2}}`:         true,
		`[{"a":1},{"a":1}]`:           false,
		`{"a":[{"b":1}],"c":{"b":1}}`: false,
		`{"a":[1,{"b":1,"b":2}]}`:     true,
	} {
		if got := hasRepeatedKeys([]byte(body)); got != want {
			t.Errorf("hasRepeatedKeys(%s) = %v, want %v", body, got, want)
		}
	}
}

// FuzzOnePassAgreesWithTheLongWay decodes any body as a customer and as a
// page, in one pass and the long way: when the one pass answers, it must be
// with the long way's result.
func FuzzOnePassAgreesWithTheLongWay(f *testing.F) {
	addResponseSeeds(f)
	for _, body := range customerVariants(f) {
		f.Add(body)
	}
	for _, body := range pageVariants(f) {
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if hasRepeatedKeys(body) {
			return
		}
		customerAgrees(t, "body", body)
		pageAgrees(t, "body", body)
		unmarshalAgrees(t, body)
	})
}

// unmarshalAgrees checks that Customer.UnmarshalJSON, which tries the one
// pass first (webhook events decode their customer through it), gives what
// the long way gives for the body's data.
func unmarshalAgrees(t *testing.T, body []byte) {
	t.Helper()
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(body, &env) != nil || len(env.Data) == 0 {
		return
	}
	var viaMethod, long Customer
	errMethod := viaMethod.UnmarshalJSON(env.Data)
	_, errLong := decodeLongWay(body, nil, &long, nil)
	if errLong != nil {
		return // the envelope may fail for reasons of its own
	}
	if errMethod != nil || !reflect.DeepEqual(viaMethod, long) {
		t.Errorf("UnmarshalJSON and the long way disagree (%v):\n%+v\n%+v", errMethod, viaMethod, long)
	}
}
