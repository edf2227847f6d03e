#pragma once
// Where Group Policy stores each setting: the registry layout that the templates in
// gpo-templates/ declare and that dirmaild's policy reader follows. A setting lives in
// HKLM\Software\Policies\dirmail\<section> under its row's Group Policy value name.
#include <cstdint>
#include <string>
#include <string_view>

#include "dirmail/config/settings.hpp"

namespace dirmail::config {

inline constexpr std::string_view kPolicyRootKey = "Software\\Policies\\dirmail";

enum class PolicyStorage {
  Flag,   // Bool: REG_DWORD 1 (policy Enabled) or 0 (Disabled)
  Dword,  // a number whose range fits 32 bits: REG_DWORD
  Qword,  // a larger number: REG_QWORD
  Text,   // String, Path, Enum: REG_SZ
  List,   // StringList: REG_DWORD 1 marks the policy Enabled; the entries are the REG_SZ
          // values "1", "2", ... of the subkey list_key, in order (none: an empty list)
};

struct PolicyRegistryValue {
  std::string key;              // kPolicyRootKey\<section>
  std::string_view value_name;  // the row's Group Policy value name
  PolicyStorage storage = PolicyStorage::Text;
  // Dword, Qword: the range a policy can set. Registry numbers are unsigned, so a
  // negative table minimum (the "-1: inherit" sentinel) is raised to 0: that value
  // stays reachable only by leaving the policy Not Configured.
  std::uint64_t min = 0;
  std::uint64_t max = 0;
  std::string list_key;  // List: key\<value_name>
};

PolicyRegistryValue policy_registry_value(const SettingSpec& spec);

// "REG_DWORD", "REG_QWORD" or "REG_SZ" (List: the entries' type).
std::string_view registry_type_name(PolicyStorage storage);

}  // namespace dirmail::config
