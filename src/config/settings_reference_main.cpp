// dirmail-settings-reference: writes what is generated from the settings table
// (docs/settings.md and the Group Policy templates in gpo-templates/), or checks that
// the files in the source tree still match it (ctest tests do).
//   dirmail-settings-reference                     print docs/settings.md to stdout
//   dirmail-settings-reference --output FILE       write FILE
//   dirmail-settings-reference --check FILE        exit 1 when FILE differs
//   dirmail-settings-reference --gpo-output DIR    write DIR/dirmail.admx, DIR/en-US/dirmail.adml, ...
//   dirmail-settings-reference --gpo-check DIR     exit 1 when one of them differs
//   dirmail-settings-reference --json              print the table as JSON
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>

#include "dirmail/config/gpo_templates.hpp"
#include "dirmail/config/reference.hpp"
#include "dirmail/config/settings_json.hpp"

namespace {

constexpr std::string_view kUsage =
    "usage: dirmail-settings-reference [--output FILE | --check FILE | --gpo-output DIR | --gpo-check DIR | "
    "--json]\n";

bool write_file(const std::filesystem::path& path, const std::string& text) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::cerr << path.string() << ": cannot write\n";
    return false;
  }
  return true;
}

// False (with a message naming the build target that regenerates it) when `path`
// cannot be read or differs from `text`.
bool matches(const std::filesystem::path& path, const std::string& text, std::string_view target) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << path.string() << ": cannot read\n";
    return false;
  }
  const std::string current{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (current != text) {
    std::cerr << path.string() << " does not match settings.def; regenerate it with "
              << "`cmake --build BUILD_DIR --target " << target << "`\n";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 1 || (argc == 2 && std::string_view(argv[1]) == "--json")) {
    std::cout << (argc == 1 ? dirmail::config::render_settings_reference() : dirmail::config::render_settings_json());
    return std::cout ? 0 : 1;
  }
  if (argc != 3) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string_view mode = argv[1];
  const std::filesystem::path path = argv[2];
  if (mode == "--output") return write_file(path, dirmail::config::render_settings_reference()) ? 0 : 1;
  if (mode == "--check") return matches(path, dirmail::config::render_settings_reference(), "settings-doc") ? 0 : 1;
  if (mode == "--gpo-output" || mode == "--gpo-check") {
    bool ok = true;
    for (const auto& file : dirmail::config::render_gpo_templates()) {
      ok = (mode == "--gpo-output" ? write_file(path / file.path, file.text)
                                   : matches(path / file.path, file.text, "gpo-templates")) &&
           ok;
    }
    return ok ? 0 : 1;
  }
  std::cerr << kUsage;
  return 2;
}
