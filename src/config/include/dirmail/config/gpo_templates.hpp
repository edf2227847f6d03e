#pragma once
// The Group Policy templates (gpo-templates/), rendered from the settings table: one
// ADMX with a category per section and a policy per setting, and one ADML per language
// (en-US, ja-JP) with its texts. The files in the source tree must equal these texts:
// the build target `gpo-templates` rewrites them and a test checks them.
#include <string>
#include <vector>

namespace dirmail::config {

struct GpoTemplateFile {
  std::string path;  // relative to gpo-templates/: "dirmail.admx", "en-US/dirmail.adml", ...
  std::string text;  // UTF-8 XML, LF line ends
};

// The ADMX first, then the ADMLs; policies in table order.
std::vector<GpoTemplateFile> render_gpo_templates();

}  // namespace dirmail::config
