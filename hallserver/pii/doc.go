// Package pii keeps citizens' identity numbers the way the hall must:
// never in clear text at rest, never in logs. A Vault holds the hall's
// secret key (a file readable only by the hall server) and offers
//
//   - LookupHash: a keyed hash (HMAC-SHA-256) of a normalised ID number, so
//     an application can be found by the ID card on the reader without the
//     number being stored in a searchable form;
//   - Seal / Open: AES-256-GCM encryption where the full number is needed
//     (a certificate's holder, a callback for a bad rating);
//   - Mask: the form screens and slips show, 5201**********123X.
//
// Both keys derive from one 32-byte secret, so a hall has one file to back
// up; losing it makes stored numbers unreadable and unfindable.
package pii
