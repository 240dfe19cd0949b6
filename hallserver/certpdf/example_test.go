package certpdf_test

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"onestop/assets"
	"onestop/hallserver/certpdf"
)

func ExampleRenderer_Render() {
	// Once, when the server starts:
	r, err := certpdf.NewRenderer(assets.Font())
	if err != nil {
		panic(err)
	}
	cert := certpdf.Certificate{
		Title:    "不动产登记证明",
		TitleEn:  "Certificate of Real Estate Registration",
		Holder:   "张三",
		HolderID: "5201**********123X",
		Fields: []certpdf.Field{
			{Label: "证明权利或事项", Value: "抵押权"},
			{Label: "坐落", Value: "贵州省贵阳市观山湖区长岭北路3栋2单元1801号"},
		},
		Serial:     "黔(2026)贵阳市不动产证明第0012345号",
		Hall:       "贵阳市政务服务中心",
		IssuedAt:   time.Date(2026, 11, 26, 10, 15, 0, 0, certpdf.Location),
		QRText:     "HTTPS://V.ONESTOP.GOV.CN/C/6YQKZ3HB4TQW2M7RXN5PJD8ECFA2",
		PrintCount: 1,
	}
	pdf, err := r.Render(cert)
	fmt.Println(bytes.HasPrefix(pdf, []byte("%PDF-")), err)

	// A second print must say so.
	cert.PrintCount = 2
	_, err = r.Render(cert)
	fmt.Println(errors.Is(err, certpdf.ErrInvalid))
	fmt.Println(err)
	// Output:
	// true <nil>
	// true
	// certpdf: invalid certificate: print 2 is not marked Reprint
}
