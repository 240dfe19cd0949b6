package kiosk

import (
	"strings"

	"onestop/hallserver/catalogue"
)

// Finding an item without a keyboard. The kiosk's keypad cannot type
// Chinese, and pinyin initials are no answer either: many older people
// never learnt pinyin, initials are ambiguous (HZ is 护照 and 核准), and a
// pinyin table for every character in the catalogue would have to follow
// each catalogue change. What works is tapping: common topics (the life
// events people come for: a passport, a home, a company, a pension), the
// departments, and, for people who bring a printed guide or were told by
// staff, the item code typed on the keypad (letters and digits only).

// guideTopic is a common topic: the items whose Chinese name contains one
// of its words (the catalogue's names are Chinese, whatever the kiosk's
// language). A topic that matches nothing in the catalogue is not shown,
// so the list fits whatever catalogue the hall has.
type guideTopic struct {
	id    string   // translation key guide.topic.ID
	words []string // parts of item names
	// instant selects the same-day items (即办件) instead of words.
	instant bool
}

// guideTopics are the common topics, in the order shown.
var guideTopics = []guideTopic{
	{id: "passport", words: []string{"护照"}},
	{id: "hkmotw", words: []string{"港澳", "台湾"}},
	{id: "home", words: []string{"不动产", "房屋", "商品房", "抵押"}},
	{id: "company", words: []string{"公司", "营业执照"}},
	{id: "tax", words: []string{"纳税", "发票", "完税"}},
	{id: "social", words: []string{"社会保障卡", "社会保险", "养老保险", "失业保险"}},
	{id: "pension", words: []string{"退休", "养老"}},
	{id: "fund", words: []string{"公积金"}},
	{id: "health", words: []string{"医师", "护士", "医疗", "放射"}},
	{id: "transport", words: []string{"运输", "道路"}},
	{id: "building", words: []string{"建筑", "施工", "建设项目"}},
	{id: "nature", words: []string{"林", "野生动物", "环境", "排污"}},
	{id: "instant", instant: true},
}

// matches reports whether item belongs to the topic.
func (t guideTopic) matches(it catalogue.Item) bool {
	if t.instant {
		return it.Instant
	}
	for _, w := range t.words {
		if strings.Contains(it.Name, w) {
			return true
		}
	}
	return false
}

// topicItems are the catalogue's items of the topic, in catalogue order.
func topicItems(c *catalogue.Catalogue, t guideTopic) []catalogue.Item {
	var out []catalogue.Item
	for _, it := range c.Items {
		if t.matches(it) {
			out = append(out, it)
		}
	}
	return out
}

// findTopic returns the topic with the id.
func findTopic(id string) (guideTopic, bool) {
	for _, t := range guideTopics {
		if t.id == id {
			return t, true
		}
	}
	return guideTopic{}, false
}

// codeItems are the items whose code contains what was typed, dashes
// ignored on both sides ("CRJ003" finds GA-CRJ-003); nothing for nothing
// typed.
func codeItems(c *catalogue.Catalogue, typed string) []catalogue.Item {
	q := normalCode(typed)
	if q == "" {
		return nil
	}
	var out []catalogue.Item
	for _, it := range c.Items {
		if strings.Contains(normalCode(it.Code), q) {
			out = append(out, it)
		}
	}
	return out
}

// normalCode is an item code in upper case without dashes or spaces.
func normalCode(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToUpper(s))
}
