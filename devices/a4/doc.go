// Package a4 prints A4 documents (certificates, application receipts) as
// PDF, either through a CUPS queue or, on a machine without a printer,
// into a folder.
//
// CUPS is driven through its command-line clients, as an administrator
// would: `lp -d QUEUE -t TITLE -` with the PDF on standard input, and
// `lpstat -p QUEUE` / `lpstat -o QUEUE` for the printer's state and its
// pending jobs (run with LC_ALL=C, since their output is translated).
// Their failures become an *Error whose Kind tells a technician what to
// do: install cups-client, start the scheduler, or fix the queue name.
//
// Folder is the sink for a machine without a printer (and for the demo):
// each document becomes a new PDF file in a folder.
//
// Setting a queue up is the technician's job (`lpadmin`, or the CUPS web
// page at http://localhost:631): this package only prints to one.
package a4
