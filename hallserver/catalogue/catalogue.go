package catalogue

// Catalogue is one version of a hall's service catalogue. The zero value is
// empty and invalid; build one with [Parse] or [Seed].
//
// Lookups scan the slices, so a Catalogue may be edited in place between
// calls (re-run Validate afterwards); catalogues hold tens of items.
type Catalogue struct {
	Version     string       `json:"version"` // e.g. "2026.1"
	Departments []Department `json:"departments"`
	Queues      []Queue      `json:"queues"`
	Windows     []Window     `json:"windows"`
	Items       []Item       `json:"items"`
}

// Department is a government department stationed in the hall (进驻部门).
type Department struct {
	Code   string `json:"code"`    // short unique code, e.g. "GA"
	Name   string `json:"name"`    // zh-CN, e.g. "省公安厅出入境管理局"
	NameEn string `json:"name_en"` // English
}

// Queue is a line citizens wait in. Its one-letter code is the ticket
// prefix (A001); it serves the items of the listed departments.
type Queue struct {
	Code        string   `json:"code"` // one uppercase letter A–Z
	Name        string   `json:"name"`
	NameEn      string   `json:"name_en"`
	Departments []string `json:"departments"` // department codes
}

// Window is a service counter (窗口) and the queues it calls from.
type Window struct {
	Number int      `json:"number"` // 1-based, as announced: "请到 3 号窗口"
	Name   string   `json:"name"`
	NameEn string   `json:"name_en"`
	Queues []string `json:"queues"` // queue codes
}

// Item is a service item (事项): what a citizen or company applies for.
type Item struct {
	Code         string     `json:"code"` // unique, e.g. "GA-CRJ-001"
	Name         string     `json:"name"`
	NameEn       string     `json:"name_en"`
	Department   string     `json:"department"`    // department code
	Queue        string     `json:"queue"`         // queue code; the queue must list Department
	LegalDays    int        `json:"legal_days"`    // 法定时限, working days
	PromisedDays int        `json:"promised_days"` // 承诺时限, working days, ≤ LegalDays; 0 for 即办件
	Instant      bool       `json:"instant"`       // 即办件: decided and delivered the same day
	Conditions   []string   `json:"conditions"`    // 申请条件
	Materials    []Material `json:"materials"`     // 申请材料
	Fees         string     `json:"fees"`          // 收费标准, free text ("免费" when none)
	LegalBasis   string     `json:"legal_basis"`   // 设定依据, e.g. "《中华人民共和国护照法》第五条"
	Steps        []string   `json:"steps"`         // 办理流程, e.g. 受理, 审核, 决定, 制证, 送达
	// Certificate is the certificate (证照) an approval produces, issued
	// at 制证; nil when the item produces none.
	Certificate *CertificateSpec `json:"certificate,omitempty"`
}

// CertificateSpec describes the certificate an item produces.
type CertificateSpec struct {
	// Type is the certificate type code in the 电子证照 identifier: 1 to 16
	// uppercase letters, digits and dashes, e.g. "BDC-QZ".
	Type    string `json:"type"`
	Title   string `json:"title"` // as printed, e.g. "不动产权证书"
	TitleEn string `json:"title_en"`
	// ValidYears is how long a certificate is valid, counted from the day
	// of issue; 0 when it does not expire.
	ValidYears int `json:"valid_years"`
	// Fields are the fields staff fill in at 制证, in print order, e.g.
	// 坐落, 面积.
	Fields []string `json:"fields"`
}

// Material is one document an application needs.
type Material struct {
	Name     string `json:"name"`
	Copies   int    `json:"copies"`   // how many to hand in
	Original bool   `json:"original"` // the original is shown (and, unless noted, returned)
	Note     string `json:"note"`
}

// Department returns the department with the given code.
func (c *Catalogue) Department(code string) (Department, bool) {
	for _, d := range c.Departments {
		if d.Code == code {
			return d, true
		}
	}
	return Department{}, false
}

// Queue returns the queue with the given code (its ticket prefix).
func (c *Catalogue) Queue(code string) (Queue, bool) {
	for _, q := range c.Queues {
		if q.Code == code {
			return q, true
		}
	}
	return Queue{}, false
}

// Window returns the window with the given number.
func (c *Catalogue) Window(number int) (Window, bool) {
	for _, w := range c.Windows {
		if w.Number == number {
			return w, true
		}
	}
	return Window{}, false
}

// Item returns the service item with the given code.
func (c *Catalogue) Item(code string) (Item, bool) {
	for _, it := range c.Items {
		if it.Code == code {
			return it, true
		}
	}
	return Item{}, false
}

// ItemsOf returns the items of the given department, in catalogue order;
// nil if it has none or does not exist.
func (c *Catalogue) ItemsOf(department string) []Item {
	var items []Item
	for _, it := range c.Items {
		if it.Department == department {
			items = append(items, it)
		}
	}
	return items
}
