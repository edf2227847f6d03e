// The Group Policy templates and the registry layout they declare (the structure of the
// XML as a whole is checked by gpo_templates_check.py).
#include <gtest/gtest.h>

#include <string>

#include "dirmail/config/gpo_templates.hpp"
#include "dirmail/config/policy_registry.hpp"
#include "dirmail/config/settings.hpp"

namespace dirmail::config {
namespace {

const SettingSpec& spec(std::string_view name) {
  const SettingSpec* found = find_setting(name);
  EXPECT_NE(found, nullptr) << name;
  return *found;
}

std::string file(std::string_view path) {
  for (const GpoTemplateFile& f : render_gpo_templates()) {
    if (f.path == path) return f.text;
  }
  ADD_FAILURE() << "no " << path;
  return {};
}

TEST(PolicyRegistry, EachSettingLivesInItsSectionKeyUnderItsValueName) {
  const PolicyRegistryValue flag = policy_registry_value(spec("smtp.starttls"));
  EXPECT_EQ(flag.key, "Software\\Policies\\dirmail\\smtp");
  EXPECT_EQ(flag.value_name, spec("smtp.starttls").policy_value);
  EXPECT_EQ(flag.storage, PolicyStorage::Flag);

  const PolicyRegistryValue threads = policy_registry_value(spec("server.io_threads"));
  EXPECT_EQ(threads.storage, PolicyStorage::Dword);
  EXPECT_EQ(threads.min, 0u);
  EXPECT_EQ(threads.max, 64u);

  const PolicyRegistryValue list = policy_registry_value(spec("smtp.listen"));
  EXPECT_EQ(list.storage, PolicyStorage::List);
  EXPECT_EQ(list.list_key, "Software\\Policies\\dirmail\\smtp\\" + std::string(spec("smtp.listen").policy_value));

  EXPECT_EQ(policy_registry_value(spec("log.level")).storage, PolicyStorage::Text);
  EXPECT_EQ(policy_registry_value(spec("server.data_dir")).storage, PolicyStorage::Text);
}

TEST(PolicyRegistry, NumbersPastThirtyTwoBitsAreQwords) {
  const PolicyRegistryValue limit = policy_registry_value(spec("store.mailbox_limit"));
  ASSERT_GT(spec("store.mailbox_limit").max, 4294967295);
  EXPECT_EQ(limit.storage, PolicyStorage::Qword);
  EXPECT_EQ(registry_type_name(limit.storage), "REG_QWORD");
  EXPECT_EQ(limit.max, static_cast<std::uint64_t>(spec("store.mailbox_limit").max));
}

TEST(PolicyRegistry, ANegativeInheritValueIsLeftToNotConfigured) {
  const SettingSpec& row = spec("smtp.directory_retry_interval");
  ASSERT_EQ(row.min, -1);
  const PolicyRegistryValue value = policy_registry_value(row);
  EXPECT_EQ(value.min, 0u);
  EXPECT_EQ(value.max, static_cast<std::uint64_t>(row.max));
}

TEST(GpoTemplates, AreTheAdmxAndAnAdmlPerLanguage) {
  const auto files = render_gpo_templates();
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].path, "dirmail.admx");
  EXPECT_EQ(files[1].path, "en-US/dirmail.adml");
  EXPECT_EQ(files[2].path, "ja-JP/dirmail.adml");
  for (const GpoTemplateFile& f : files) {
    EXPECT_EQ(f.text.rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n", 0), 0u) << f.path;
    EXPECT_EQ(f.text.find('\r'), std::string::npos) << f.path;
  }
}

TEST(GpoTemplates, ExplainTextsCarryTheTableDescriptionsEscaped) {
  const SettingSpec& listen = spec("smtp.listen");
  ASSERT_NE(listen.description_en.find('"'), std::string_view::npos);
  std::string escaped;
  for (char c : listen.description_en) escaped += c == '"' ? std::string("&quot;") : std::string(1, c);
  EXPECT_NE(file("en-US/dirmail.adml").find(escaped), std::string::npos);
  EXPECT_NE(file("ja-JP/dirmail.adml").find("<string id=\"smtp_listen\">smtp.listen</string>"), std::string::npos);
  EXPECT_NE(file("ja-JP/dirmail.adml").find("単位: 秒"), std::string::npos);
}

TEST(GpoTemplates, EnumPolicyListsTheAllowedValuesWithTheDefaultPreselected) {
  const std::string admx = file("dirmail.admx");
  const std::size_t policy = admx.find("<policy name=\"log_level\"");
  ASSERT_NE(policy, std::string::npos);
  const std::string body = admx.substr(policy, admx.find("</policy>", policy) - policy);
  for (const char* value : {"debug", "info", "warn", "error"}) {
    EXPECT_NE(body.find("<string>" + std::string(value) + "</string>"), std::string::npos) << value;
  }
  // "info" is the second value.
  EXPECT_NE(file("en-US/dirmail.adml").find("<dropdownList refId=\"LogLevel\" noSort=\"true\" defaultItem=\"1\">"),
            std::string::npos);
}

}  // namespace
}  // namespace dirmail::config
