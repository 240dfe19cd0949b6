package main

import (
	"fmt"
	"os"
	"time"

	"onestop/devices/a4"
	hall "onestop/hallserver/queue"
)

// a4Test prints the A4 test page through CUPS or into a folder.
func (e env) a4Test(args []string) error {
	fs := flags("a4 test")
	queue := fs.String("queue", "", "")
	server := fs.String("server", "", "")
	dir := fs.String("dir", "", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	var p a4.Printer
	target := ""
	switch {
	case *queue != "" && *dir == "":
		p, target = a4.CUPS{Queue: *queue, Server: *server}, "CUPS queue "+*queue
	case *dir != "" && *queue == "":
		p, target = a4.Folder{Dir: *dir}, "folder "+*dir
	default:
		return usageError{"a4 test needs either --queue Q (a CUPS printer, see lpstat -p) or --dir D (a folder for PDFs)"}
	}
	host, _ := os.Hostname()
	pdf, err := a4.TestPage(host, target, time.Now().In(hall.Location))
	if err != nil {
		return err
	}
	job, err := p.Print(e.ctx, pdf, "OneStop 打印测试页")
	if err != nil {
		return err
	}
	if job.Path != "" {
		fmt.Fprintf(e.stdout, "test page written to %s\n", job.Path)
	} else {
		fmt.Fprintf(e.stdout, "test page sent to %s as job %s\n", target, job.ID)
	}
	if st, err := p.Status(e.ctx); err == nil && !st.Ready() {
		fmt.Fprintf(e.stdout, "note: the printer is not ready: %s %s\n", st.State, st.Reason)
	}
	return nil
}
