package idcard

import "fmt"

// Status is the SW3 byte of an answer: the outcome of a command. Every
// value other than StatusOK and StatusFound is an error, and Status
// implements error so that a Reader returns it (wrapped) as such:
//
//	if errors.Is(err, idcard.StatusNoCard) { … }
//	var st idcard.Status
//	if errors.As(err, &st) { show(st.MessageZH()) }
type Status byte

// The SW3 codes of GA 467 SAMs (libsamv.h).
const (
	StatusOK           Status = 0x90 // 操作成功
	StatusFound        Status = 0x9F // 寻找证/卡成功
	StatusNoContent    Status = 0x91 // 证/卡中此项无内容
	StatusChecksum     Status = 0x10 // 接收业务终端数据的校验和错
	StatusLength       Status = 0x11 // 接收业务终端数据的长度错
	StatusCommand      Status = 0x21 // 接收业务终端的命令错误
	StatusForbidden    Status = 0x23 // 越权操作
	StatusUnknownError Status = 0x24 // 无法识别的错误
	StatusCardAuthSAM  Status = 0x31 // 证/卡认证SAM失败
	StatusSAMAuthCard  Status = 0x32 // SAM认证证/卡失败
	StatusVerify       Status = 0x33 // 信息验证错误
	StatusCardType     Status = 0x40 // 无法识别的卡类型
	StatusReadFailed   Status = 0x41 // 读证/卡操作失败
	StatusRandom       Status = 0x47 // 取随机数失败
	StatusSelfTest     Status = 0x60 // SAM自检失败
	StatusUnauthorized Status = 0x66 // SAM未经授权
	StatusNoCard       Status = 0x80 // 寻找证/卡失败
	StatusSelectFailed Status = 0x81 // 选取证/卡失败
)

var _ error = StatusOK

// ErrNoCard is what Reader.Read returns (wrapped) when no card is on the
// reader, or the card on it was already read and has not left the field.
var ErrNoCard error = StatusNoCard

var statusText = map[Status][2]string{
	StatusOK:           {"操作成功", "success"},
	StatusFound:        {"寻找证/卡成功", "find card succeeded"},
	StatusNoContent:    {"证/卡中此项无内容", "this item has no content on the card"},
	StatusChecksum:     {"接收业务终端数据的校验和错", "the SAM received a frame with a bad checksum"},
	StatusLength:       {"接收业务终端数据的长度错", "the SAM received a frame with a bad length"},
	StatusCommand:      {"接收业务终端的命令错误", "command or parameter error"},
	StatusForbidden:    {"越权操作", "operation not permitted"},
	StatusUnknownError: {"无法识别的错误", "unrecognised error"},
	StatusCardAuthSAM:  {"证/卡认证SAM失败", "the card failed to authenticate the SAM"},
	StatusSAMAuthCard:  {"SAM认证证/卡失败", "the SAM failed to authenticate the card"},
	StatusVerify:       {"信息验证错误", "information verification error"},
	StatusCardType:     {"无法识别的卡类型", "unrecognised card type"},
	StatusReadFailed:   {"读证/卡操作失败", "read card failed"},
	StatusRandom:       {"取随机数失败", "get-random failed"},
	StatusSelfTest:     {"SAM自检失败，不能接收命令", "SAM self-test failed"},
	StatusUnauthorized: {"SAM未经授权，无法使用", "SAM not authorised"},
	StatusNoCard:       {"寻找证/卡失败（无卡）", "find card failed (no card)"},
	StatusSelectFailed: {"选取证/卡失败", "select card failed"},
}

// Statuses lists every SW3 code of the protocol, successes first.
var Statuses = []Status{
	StatusOK, StatusFound, StatusNoContent,
	StatusChecksum, StatusLength, StatusCommand, StatusForbidden, StatusUnknownError,
	StatusCardAuthSAM, StatusSAMAuthCard, StatusVerify,
	StatusCardType, StatusReadFailed, StatusRandom,
	StatusSelfTest, StatusUnauthorized, StatusNoCard, StatusSelectFailed,
}

// Known reports whether s is a code of the protocol.
func (s Status) Known() bool {
	_, ok := statusText[s]
	return ok
}

// OK reports whether s is a success: 0x90, or 0x9F for find card.
func (s Status) OK() bool { return s == StatusOK || s == StatusFound }

// MessageZH is the status in Chinese, for kiosk screens.
func (s Status) MessageZH() string {
	if t, ok := statusText[s]; ok {
		return t[0]
	}
	return fmt.Sprintf("未知状态码 0x%02X", byte(s))
}

// MessageEN is the status in English, for logs.
func (s Status) MessageEN() string {
	if t, ok := statusText[s]; ok {
		return t[1]
	}
	return fmt.Sprintf("unknown status 0x%02X", byte(s))
}

// Error gives the code and the English message.
func (s Status) Error() string {
	return fmt.Sprintf("idcard: SAM status 0x%02X: %s", byte(s), s.MessageEN())
}

// String is the same as Error.
func (s Status) String() string { return s.Error() }

// transient reports whether the SAM says the request frame arrived
// damaged, which sending it again may cure.
func (s Status) transient() bool { return s == StatusChecksum || s == StatusLength }
