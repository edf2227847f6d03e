#pragma once
// Registry.pol ([MS-GPREG] 2.2.1, "PReg"): the registry half of a Group Policy Object,
// which a GPO keeps as SYSVOL\<domain>\Policies\{GUID}\Machine\Registry.pol.
//
// The file is the signature "PReg", the version 1 (little-endian 32 bits), then entries
//   [key;value;type;size;data]
// where '[', ';' and ']' are UTF-16LE characters, key and value are NUL-terminated
// UTF-16LE strings, type and size are little-endian 32-bit numbers and data is `size`
// bytes. A damaged file is refused whole: a policy applied in part would be one that no
// administrator wrote.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::config {

// Bounds on a file read from SYSVOL; a file over any of them is refused with
// ErrorCode::limit_exceeded.
inline constexpr std::size_t kMaxRegistryPolBytes = 4 * 1024 * 1024;
inline constexpr std::size_t kMaxRegistryPolEntries = 65536;
inline constexpr std::size_t kMaxRegistryKeyUnits = 1024;         // UTF-16 code units
inline constexpr std::size_t kMaxRegistryValueNameUnits = 16383;  // the registry's own limit
inline constexpr std::size_t kMaxRegistryDataBytes = 1024 * 1024;

// The value types a Registry.pol may carry (winnt.h numbering).
enum class RegistryType : std::uint32_t {
  None = 0,
  String = 1,        // REG_SZ
  ExpandString = 2,  // REG_EXPAND_SZ
  Binary = 3,        // REG_BINARY
  Dword = 4,         // REG_DWORD (little-endian)
  DwordBigEndian = 5,
  MultiString = 7,  // REG_MULTI_SZ
  Qword = 11,       // REG_QWORD (little-endian)
};

// "REG_SZ", "REG_DWORD", ...
std::string_view to_string(RegistryType type);

// An entry's data, decoded by its type:
//   String, ExpandString: the text up to its first NUL (UTF-8);
//   Dword, DwordBigEndian, Qword: the number;
//   MultiString: the strings, without the empty one that ends the list;
//   Binary, None: the bytes.
struct RegistryBytes {
  std::string bytes;
  bool operator==(const RegistryBytes&) const = default;
};
using RegistryData = std::variant<std::string, std::uint64_t, std::vector<std::string>, RegistryBytes>;

struct RegistryPolEntry {
  std::string key;         // "Software\\Policies\\dirmail\\smtp", UTF-8, no hive
  std::string value_name;  // a value, "" (the key itself) or a "**" instruction
  RegistryType type = RegistryType::String;
  RegistryData data;

  bool operator==(const RegistryPolEntry&) const = default;
};

// Every entry of a Registry.pol file, in file order. A damaged file is an error whose
// message names the byte offset, e.g.
//   "byte 58: entry 2: size 6 does not match REG_DWORD (4 bytes)".
Result<std::vector<RegistryPolEntry>> read_registry_pol(std::string_view file);

// The Registry.pol file holding `entries`, which read_registry_pol() reads back equal.
// invalid_argument when an entry cannot be written so: text that is not UTF-8 or holds a
// NUL, a number too large for its type, data whose kind does not match the type, an
// empty key or a string past the limits above.
Result<std::string> write_registry_pol(std::span<const RegistryPolEntry> entries);

// What an entry asks of the registry ([MS-GPREG] 2.2.1 and 3.2.5.1). Value names are
// matched without regard to case, as the registry does.
enum class RegistryAction {
  SetValue,          // a plain value name
  SetValueIfAbsent,  // "**soft.<name>": set only when the value does not exist yet
  DeleteValue,       // "**del.<name>"
  DeleteAllValues,   // "**delvals.": every value of the key
  DeleteValues,      // "**DeleteValues": the values named in the data, ';'-separated
  DeleteKeys,        // "**DeleteKeys": the subkeys named in the data, ';'-separated
  SecureKey,         // "**SecureKey": a key ACL change; nothing to do for a value reader
  CreateKey,         // an empty value name: the key exists
};

struct RegistryInstruction {
  RegistryAction action = RegistryAction::SetValue;
  // SetValue, SetValueIfAbsent, DeleteValue: the value's name; DeleteValues: the value
  // names; DeleteKeys: the subkeys, relative to the entry's key.
  std::vector<std::string> names;
};

RegistryInstruction instruction_of(const RegistryPolEntry& entry);

}  // namespace dirmail::config
