// Fuzzes the Registry.pol (PReg) reader, read_registry_pol, and what reads its entries:
// instruction_of and read_gpo_settings.
#include <algorithm>
#include <string>

#include "dirmail/base/strings.hpp"
#include "dirmail/config/gpo_settings.hpp"
#include "dirmail/config/registry_pol.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace dirmail;
  const std::string_view file = fuzz::as_view(data, size);
  auto entries = config::read_registry_pol(file);
  if (!entries) {
    // Refused whole, saying where.
    const Error& error = entries.error();
    FUZZ_CHECK(error.code == ErrorCode::invalid_argument || error.code == ErrorCode::limit_exceeded);
    if (size <= config::kMaxRegistryPolBytes) {
      FUZZ_CHECK(error.message.starts_with("byte "));
      const auto offset = parse_decimal(error.message.substr(5, error.message.find(':') - 5), 20);
      FUZZ_CHECK(offset && *offset <= size);
    }
    return 0;
  }
  FUZZ_CHECK(size <= config::kMaxRegistryPolBytes);
  FUZZ_CHECK(entries->size() <= config::kMaxRegistryPolEntries);
  for (const config::RegistryPolEntry& entry : *entries) {
    FUZZ_CHECK(!entry.key.empty() && valid_utf8(entry.key) && valid_utf8(entry.value_name));
    if (const auto* text = std::get_if<std::string>(&entry.data)) {
      FUZZ_CHECK(valid_utf8(*text) && text->find('\0') == std::string::npos);
    }
    (void)config::instruction_of(entry);
  }

  // What was read writes out and reads back the same. (Strings the file left without
  // their NUL grow by one when written, which only a file near the limits notices.)
  auto written = config::write_registry_pol(*entries);
  FUZZ_CHECK(written.ok() || size > config::kMaxRegistryDataBytes);
  if (!written) return 0;
  auto again = config::read_registry_pol(*written);
  FUZZ_CHECK(again.ok() && *again == *entries);

  const config::GpoSettings gpo = config::read_gpo_settings("fuzz", *entries);
  for (const std::string& problem : gpo.problems) {
    FUZZ_CHECK(problem.find('\n') == std::string::npos && problem.starts_with("GPO \"fuzz\": "));
  }
  for (const config::GpoSetting& setting : gpo.settings) FUZZ_CHECK(setting.spec != nullptr);
  return 0;
}
