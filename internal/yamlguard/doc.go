// Package yamlguard refuses YAML whose aliases would expand beyond a bound
// (the "billion laughs" alias bomb) before a decoder expands them.
//
// goccy/go-yaml, which relance uses for its configuration and its plans,
// bounds neither the number nor the depth of alias expansions: ten lines of
// nested aliases decoded into a string kept yaml.Unmarshal busy for minutes.
// Check walks the parsed document once, counting for every anchor the nodes
// its value holds with its own aliases expanded, so the cost of the check is
// the size of the text, whatever the aliases would expand to.
package yamlguard
