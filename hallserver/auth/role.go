package auth

// Role is what a caller may do.
type Role string

// Staff roles, and the pseudo-role of an enrolled kiosk.
const (
	Counter    Role = "counter"    // 窗口人员: calls and serves tickets at a window
	Supervisor Role = "supervisor" // 值班主任: watches the hall, settings, any window
	Admin      Role = "admin"      // 管理员: accounts, catalogue, kiosks
	Technician Role = "technician" // 运维: kiosks and devices
	Kiosk      Role = "kiosk"      // an enrolled self-service kiosk (device token)
)

// StaffRoles are the roles a staff account can have.
var StaffRoles = []Role{Counter, Supervisor, Admin, Technician}

// AllRoles are the staff roles and the kiosk.
var AllRoles = []Role{Counter, Supervisor, Admin, Technician, Kiosk}

// Principal is an authenticated caller.
type Principal struct {
	Role        Role
	UserID      int64  // staff only
	Username    string // staff only
	DisplayName string // staff only
	KioskID     int64  // kiosk only
	KioskName   string // kiosk only
	SessionHash string // staff only: the session it came with
}

// Name is how the audit trail names the principal.
func (p Principal) Name() string {
	if p.Role == Kiosk {
		return "kiosk:" + p.KioskName
	}
	return p.Username
}

// In reports whether the principal's role is one of roles.
func (p Principal) In(roles []Role) bool {
	for _, r := range roles {
		if p.Role == r {
			return true
		}
	}
	return false
}
