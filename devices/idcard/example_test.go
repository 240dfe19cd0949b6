package idcard_test

import (
	"fmt"
	"time"

	"onestop/devices/idcard"
)

func ExampleCheckDigit() {
	c, _ := idcard.CheckDigit("11010519491231002")
	fmt.Printf("%c\n", c)
	fmt.Println(idcard.ValidIDNumber("11010519491231002x"))
	fmt.Println(idcard.ValidIDNumber("110105194912310021"))
	// Output:
	// X
	// true
	// false
}

func ExampleMaskIDNumber() {
	fmt.Println(idcard.MaskIDNumber("52010219900101123X"))
	fmt.Println(idcard.MaskName("张三丰"), idcard.MaskName("王五"), idcard.MaskName("SMITH, JOHN"))
	// Output:
	// 5201**********123X
	// 张*丰 王* S****, J***
}

func ExampleExecDecoder() {
	// A vendor tool that takes file names: wlt2bmp photo.wlt photo.bmp.
	dec := &idcard.ExecDecoder{
		Path:    "/opt/vendor/bin/wlt2bmp",
		Args:    []string{"{in}", "{out}"},
		Env:     []string{"LD_LIBRARY_PATH=/opt/vendor/lib"},
		Timeout: 3 * time.Second,
	}
	var card idcard.Card // from Reader.Read
	img, err := card.PhotoImage(dec)
	if err != nil {
		img = idcard.Placeholder(idcard.PhotoWidth, idcard.PhotoHeight)
	}
	fmt.Println(img.Bounds().Dx(), img.Bounds().Dy())
	// Output:
	// 102 126
}
