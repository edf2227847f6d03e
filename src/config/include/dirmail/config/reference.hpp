#pragma once
// The settings reference (docs/settings.md), rendered from the settings table.
#include <string>

namespace dirmail::config {

// Markdown: an introduction, then one table per section. docs/settings.md must equal
// this text; the build target `settings-doc` rewrites it and a test checks it.
std::string render_settings_reference();

}  // namespace dirmail::config
