package exchange

// Paths of the exchange API v1, relative to the province's base URL.
const (
	PathEvents             = "/exchange/v1/events"              // POST: push a batch of events
	PathCatalogue          = "/exchange/v1/catalogue"           // GET ?have=N: the service catalogue, if newer than N
	PathTrust              = "/exchange/v1/trust"               // GET ?have=N: the signed trust list and revocations, if newer than N
	PathApplicationUpdates = "/exchange/v1/application-updates" // GET ?after=C&limit=N: status updates by cursor
	PathProvinceKey        = "/exchange/v1/province-key"        // GET: the province's public key (pin it; do not trust it blindly)
)

// MaxBatch is the most events one push may carry; MaxBodyBytes the largest
// request body the province reads.
const (
	MaxBatch     = 1000
	MaxBodyBytes = 8 << 20
)
