package provider

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// terraformVersionNeeded is how a page says which Terraform it needs.
var terraformVersionNeeded = regexp.MustCompile(`Terraform 1\.\d+ or later`)

// Every generated documentation page (provider, resources, data sources,
// ephemeral and list resources, actions, functions, guides) says which
// Terraform version it needs: the features it describes arrived in different
// versions (1.8 to 1.14).
func TestEveryDocsPageSaysWhichTerraformItNeeds(t *testing.T) {
	var count int
	err := filepath.WalkDir(filepath.Join("..", "..", "docs"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".md" {
			return err
		}
		count++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !terraformVersionNeeded.Match(b) {
			t.Errorf("%s does not say which Terraform it needs (\"Terraform 1.x or later\"): add it to its description or template", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count < 30 {
		t.Fatalf("found only %d pages under docs/; is the walk broken?", count)
	}
}
