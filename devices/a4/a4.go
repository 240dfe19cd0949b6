package a4

import (
	"bytes"
	"context"
	"errors"
)

// Printer prints PDF documents.
type Printer interface {
	// Print hands pdf over for printing under title (the job's name in
	// the queue, and in Folder's file name). It returns once the
	// document is queued or written, not when the paper is out.
	Print(ctx context.Context, pdf []byte, title string) (Job, error)
	// Status tells whether the printer can print now. A printer that
	// cannot (disabled, out of paper, folder not writable) is a Status
	// with State Disabled and a Reason, not an error; errors are for
	// failing to find out.
	Status(ctx context.Context) (Status, error)
}

// Job identifies a printed document.
type Job struct {
	// ID is the CUPS request id ("hall-a4-42"), or the file name Folder
	// wrote.
	ID string
	// Queue and Number identify a CUPS job (`cancel QUEUE-NUMBER`).
	Queue  string
	Number int
	// Path is the file Folder wrote.
	Path string
}

// State is what a printer is doing.
type State int

const (
	// Idle: ready, nothing printing.
	Idle State = iota
	// Printing: a job is being printed.
	Printing
	// Disabled: the printer does not print (stopped by a technician or
	// by an error, or the folder is not writable); Status.Reason says why.
	Disabled
)

func (s State) String() string {
	switch s {
	case Idle:
		return "idle"
	case Printing:
		return "printing"
	case Disabled:
		return "disabled"
	}
	return "unknown"
}

// Status is a printer's state.
type Status struct {
	State State
	// Reason is why the printer is disabled, or the last message it gave
	// while idle or printing ("Media empty", "Unable to open print
	// file"); empty when there is nothing to say.
	Reason string
	// Job is the request id being printed, when State is Printing.
	Job string
	// Pending counts the jobs not yet completed, the one printing
	// included.
	Pending int
}

// Ready reports whether a document printed now would come out (perhaps
// after the pending jobs).
func (s Status) Ready() bool { return s.State != Disabled }

// ErrNotPDF is returned by Print for a document that is not a PDF file.
var ErrNotPDF = errors.New("a4: document is not a PDF (it does not start with %PDF-)")

func checkPDF(pdf []byte) error {
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return ErrNotPDF
	}
	return nil
}
