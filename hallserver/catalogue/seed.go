package catalogue

import "onestop/assets"

// Seed returns the sample catalogue shipped in assets (catalogue/seed.json):
// a provincial hall with its departments, items, queues and windows, which a
// new hall starts from until the province sends its own.
func Seed() (*Catalogue, error) {
	data, err := assets.CatalogueSeed()
	if err != nil {
		return nil, err
	}
	return Parse(data)
}
