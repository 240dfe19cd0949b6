package main

import (
	"encoding/json"
	"strings"
	"testing"

	"onestop/hallserver/api"
)

// TestApplicationCommands takes an application from acceptance through
// 制证 (which issues its certificate) to completion from the command line,
// and finds it by applicant and by notice.
func TestApplicationCommands(t *testing.T) {
	dir := certHall(t)
	const id = "52010219900307123X"
	out, err := hallctl(t, id+"\n", "application", "accept", "--data", dir, "--item", "ZR-BDC-005",
		"--applicant-name", "王晓红", "--applicant-id-stdin", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var app api.Application
	if err := json.Unmarshal([]byte(out), &app); err != nil || app.Step != "accept" || app.ApplicantMasked != "5201**********123X" {
		t.Fatalf("accepted %q, %v", out, err)
	}
	steps := [][]string{
		{"--kind", "request_materials", "--note", "缺少购房合同"},
		{"--kind", "materials_received"},
		{"--kind", "advance", "--step", "review"},
		{"--kind", "advance", "--step", "decide"},
		{"--kind", "advance", "--step", "make", "--field", "证明权利或事项=预告登记", "--field", "坐落=贵阳", "--field", "不动产单元号=520115"},
		{"--kind", "advance", "--step", "deliver"},
		{"--kind", "complete", "--outcome", "approved"},
	}
	for _, s := range steps {
		if out, err := hallctl(t, "", append([]string{"application", "event", app.Number, "--data", dir}, s...)...); err != nil {
			t.Fatalf("%v: %v\n%s", s, err, out)
		}
	}
	out, err = hallctl(t, "", "application", "show", app.Number, "--data", dir)
	if err != nil || !strings.Contains(out, "送达 (deliver), completed approved") || !strings.Contains(out, "certificate 不动产登记证明") {
		t.Fatalf("show: %v\n%s", err, out)
	}
	for _, find := range [][]string{{"--applicant-id", id}, {"--notice", "HTTPS://X/A/" + strings.ToUpper(app.NoticeToken)}} {
		out, err := hallctl(t, "", append([]string{"application", "find", "--data", dir}, find...)...)
		if err != nil || !strings.Contains(out, app.Number) {
			t.Errorf("find %v: %v\n%s", find, err, out)
		}
	}
	if out, err := hallctl(t, "", "application", "number-format", "--data", dir, "GZ{date}{seq:4}"); err != nil || !strings.Contains(out, "GZ202611260001") {
		t.Errorf("number-format: %q, %v", out, err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"application", "event", app.Number, "--data", dir, "--kind", "advance", "--step", "review"}, "completed"},
		{[]string{"application", "event", "--data", dir}, "the number first"},
		{[]string{"application", "show", "--data", dir}, "the number first"},
		{[]string{"application", "find", "--data", dir}, "one of them"},
		{[]string{"application", "number-format", "--data", dir, "{hall}"}, "has no {seq}"},
		{[]string{"application", "accept", "--data", dir, "--item", "ZR-BDC-005", "--applicant-name", "x"}, "--applicant-id"},
	} {
		if _, err := hallctl(t, "", tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error with %q", tc.args, err, tc.want)
		}
	}
}
