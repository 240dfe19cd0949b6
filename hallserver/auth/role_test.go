package auth

import (
	"slices"
	"testing"
)

func TestPrincipalName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		p    Principal
		want string
	}{
		{"counter", Principal{Role: Counter, UserID: 7, Username: "zhangsan", DisplayName: "张三"}, "zhangsan"},
		{"supervisor", Principal{Role: Supervisor, Username: "lisi"}, "lisi"},
		{"kiosk", Principal{Role: Kiosk, KioskID: 3, KioskName: "K003"}, "kiosk:K003"},
		{"kiosk with a stray username", Principal{Role: Kiosk, Username: "zhangsan", KioskName: "大厅东侧"}, "kiosk:大厅东侧"},
		{"nobody", Principal{}, ""},
	}
	for _, tt := range tests {
		if got := tt.p.Name(); got != tt.want {
			t.Errorf("%s: Name() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestPrincipalIn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		role  Role
		roles []Role
		want  bool
	}{
		{Counter, []Role{Counter}, true},
		{Counter, []Role{Supervisor, Admin}, false},
		{Admin, []Role{Supervisor, Admin}, true},
		{Kiosk, StaffRoles, false},
		{Kiosk, AllRoles, true},
		{Technician, StaffRoles, true},
		{Counter, nil, false},
		{"", []Role{Counter}, false},
		{"Counter", []Role{Counter}, false}, // roles are exact strings
	}
	for _, tt := range tests {
		if got := (Principal{Role: tt.role}).In(tt.roles); got != tt.want {
			t.Errorf("Principal{Role: %q}.In(%q) = %v, want %v", tt.role, tt.roles, got, tt.want)
		}
	}
}

func TestRoleLists(t *testing.T) {
	t.Parallel()
	if slices.Contains(StaffRoles, Kiosk) {
		t.Error("StaffRoles holds the kiosk")
	}
	if want := append(slices.Clone(StaffRoles), Kiosk); !slices.Equal(AllRoles, want) {
		t.Errorf("AllRoles = %q, want the staff roles and the kiosk %q", AllRoles, want)
	}
}
