// dirmail-settings-reference: writes docs/settings.md from the settings table, or
// checks that the file in the source tree still matches it (a ctest test does).
//   dirmail-settings-reference                 print to stdout
//   dirmail-settings-reference --output FILE   write FILE
//   dirmail-settings-reference --check FILE    exit 1 when FILE differs
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>

#include "dirmail/config/reference.hpp"

int main(int argc, char** argv) {
  const std::string reference = dirmail::config::render_settings_reference();
  if (argc == 1) {
    std::cout << reference;
    return std::cout ? 0 : 1;
  }
  if (argc != 3) {
    std::cerr << "usage: dirmail-settings-reference [--output FILE | --check FILE]\n";
    return 2;
  }
  const std::string_view mode = argv[1];
  const std::string path = argv[2];
  if (mode == "--output") {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << reference;
    out.close();
    if (!out) {
      std::cerr << path << ": cannot write\n";
      return 1;
    }
    return 0;
  }
  if (mode == "--check") {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::cerr << path << ": cannot read\n";
      return 1;
    }
    const std::string current{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (current != reference) {
      std::cerr << path << " does not match settings.def; regenerate it with "
                << "`cmake --build BUILD_DIR --target settings-doc`\n";
      return 1;
    }
    return 0;
  }
  std::cerr << "usage: dirmail-settings-reference [--output FILE | --check FILE]\n";
  return 2;
}
