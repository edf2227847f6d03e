#include "dirmail/config/policy_registry.hpp"

#include <algorithm>
#include <limits>

namespace dirmail::config {

PolicyRegistryValue policy_registry_value(const SettingSpec& spec) {
  PolicyRegistryValue value;
  value.key = std::string(kPolicyRootKey) + "\\" + std::string(spec.section());
  value.value_name = spec.policy_value;
  switch (spec.type) {
    case SettingType::Bool:
      value.storage = PolicyStorage::Flag;
      break;
    case SettingType::Integer:
    case SettingType::Size:
    case SettingType::Duration: {
      const std::int64_t max = spec.has_range() ? spec.max : std::numeric_limits<std::int64_t>::max();
      value.min = static_cast<std::uint64_t>(std::max<std::int64_t>(spec.has_range() ? spec.min : 0, 0));
      value.max = static_cast<std::uint64_t>(std::max<std::int64_t>(max, 0));
      value.storage = value.max <= std::numeric_limits<std::uint32_t>::max() ? PolicyStorage::Dword
                                                                             : PolicyStorage::Qword;
      break;
    }
    case SettingType::String:
    case SettingType::Path:
    case SettingType::Enum:
      value.storage = PolicyStorage::Text;
      break;
    case SettingType::StringList:
      value.storage = PolicyStorage::List;
      value.list_key = value.key + "\\" + std::string(spec.policy_value);
      break;
  }
  return value;
}

std::string_view registry_type_name(PolicyStorage storage) {
  switch (storage) {
    case PolicyStorage::Flag:
    case PolicyStorage::Dword: return "REG_DWORD";
    case PolicyStorage::Qword: return "REG_QWORD";
    case PolicyStorage::Text:
    case PolicyStorage::List: return "REG_SZ";
  }
  return "REG_SZ";
}

}  // namespace dirmail::config
