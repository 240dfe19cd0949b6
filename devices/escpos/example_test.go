package escpos_test

import (
	"errors"
	"fmt"
	"time"

	"onestop/devices/devicetest"
	"onestop/devices/escpos"
)

func ExamplePrinter_PrintSlip() {
	// The simulator stands in for the serial port of a 58 mm printer.
	sim := devicetest.NewPrinterSim(devicetest.PrinterDots58)
	p, err := escpos.New(sim, &escpos.Opts{PaperWidth: 58})
	if err != nil {
		panic(err)
	}
	st, err := p.PrintSlip(escpos.Slip{
		Hall:     "南明区政务服务中心",
		Queue:    "出入境",
		QueueEn:  "Exit & entry",
		Number:   "B003",
		Ahead:    2,
		Wait:     6 * time.Minute,
		IssuedAt: time.Date(2026, 5, 6, 8, 30, 0, 0, escpos.Shanghai),
		URL:      "https://hall.example.gov.cn/t/B003",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("status:", st)
	fmt.Print(sim.Receipts()[0].Text())
	// Output:
	// status: ok
	//        南明区政务服务中心
	// --------------------------------
	//      出入境 / Exit & entry
	//       B003
	//
	//     前面还有 2 人 / 2 ahead
	// 预计等待约 6 分钟 / about 6 min
	//        取号时间 / Issued
	//         2026-05-06 08:30
	//
	//         [QR: https://hall.example.gov.cn/t/B003]
	//
	//         扫码查看排队进度
	//     Scan to follow your turn
}

func ExampleProblem() {
	sim := devicetest.NewPrinterSim(devicetest.PrinterDots80)
	sim.SetState(devicetest.PrinterState{PaperOut: true})
	p, _ := escpos.New(sim, nil)
	_, err := p.PrintSlip(escpos.Slip{Hall: "南明区政务服务中心", Number: "B004"})
	var prob *escpos.Problem
	if errors.As(err, &prob) {
		fmt.Println(prob == escpos.ErrPaperOut)
		fmt.Println(prob.Zh) // for the kiosk screen
		fmt.Println(prob.En) // for the technician
	}
	// Output:
	// true
	// 打印机缺纸，请联系工作人员更换打印纸
	// paper out: load a new roll of thermal paper and close the cover
}

func ExampleJob() {
	j := new(escpos.Job).Init().ChineseMode(true).Align(escpos.Center).
		Bold(true).Size(2, 2).Line("排队").FeedCut(escpos.FullCut, 0)
	fmt.Printf("% X\n", j.Bytes())
	// Output:
	// 1B 40 1C 26 1B 61 01 1B 45 01 1D 21 11 C5 C5 B6 D3 0A 1D 56 41 00
}
