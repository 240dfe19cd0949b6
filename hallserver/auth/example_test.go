package auth_test

import (
	"fmt"
	"time"

	"onestop/hallserver/auth"
)

func ExampleNormalizeEnrollmentCode() {
	fmt.Println(auth.NormalizeEnrollmentCode("1234 5678-9012"))
	// Output: 123456789012
}

func ExampleLoginLimiter() {
	l := auth.NewLoginLimiter(2, 15*time.Minute)
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	l.Fail("user:zhangsan", now)
	l.Fail("user:zhangsan", now)
	ok, wait := l.Allow("user:zhangsan", now.Add(5*time.Minute))
	fmt.Println(ok, wait)
	// Output: false 10m0s
}
