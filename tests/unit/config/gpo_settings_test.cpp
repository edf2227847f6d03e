// A GPO's Registry.pol entries turned into dirmail settings: the inverse of what the
// templates in gpo-templates/ declare, each value checked as dirmail.toml's would be,
// and GPOs merged in application order over dirmail.toml.
#include "dirmail/config/gpo_settings.hpp"

#include <gtest/gtest.h>

#include "dirmail/config/loader.hpp"
#include "dirmail/config/policy_merge.hpp"
#include "dirmail/config/policy_registry.hpp"

namespace dirmail::config {
namespace {

const std::string kSmtp = "Software\\Policies\\dirmail\\smtp";
const std::string kLog = "Software\\Policies\\dirmail\\log";
const std::string kStore = "Software\\Policies\\dirmail\\store";

RegistryPolEntry dword(std::string key, std::string name, std::uint64_t n) {
  return {std::move(key), std::move(name), RegistryType::Dword, n};
}
RegistryPolEntry text(std::string key, std::string name, std::string value) {
  return {std::move(key), std::move(name), RegistryType::String, std::move(value)};
}
// What a Disabled policy writes for a value: "**del.<name>".
RegistryPolEntry del(std::string key, std::string name) {
  return {std::move(key), "**del." + name, RegistryType::String, std::string(" ")};
}

// An Enabled list policy as Group Policy writes it: the marker, then the list key
// emptied and filled.
std::vector<RegistryPolEntry> list_policy(const SettingSpec& spec, const std::vector<std::string>& items) {
  const PolicyRegistryValue reg = policy_registry_value(spec);
  std::vector<RegistryPolEntry> entries = {dword(reg.key, std::string(reg.value_name), 1),
                                           text(reg.list_key, "**delvals.", "")};
  for (std::size_t i = 0; i < items.size(); ++i) entries.push_back(text(reg.list_key, std::to_string(i + 1), items[i]));
  return entries;
}

const GpoSetting* find(const GpoSettings& gpo, std::string_view name) {
  for (const GpoSetting& s : gpo.settings) {
    if (s.spec->name == name) return &s;
  }
  return nullptr;
}

TEST(GpoSettings, ReadsEachKindOfPolicy) {
  std::vector<RegistryPolEntry> entries = {
      dword(kSmtp, "SmtpMaxRecipients", 250),
      text(kLog, "LogLevel", "debug"),
      dword(kLog, "LogToStderr", 0),
      text(kLog, "LogDirectory", "/var/log/dirmail"),
      {kStore, "MailboxLimit", RegistryType::Qword, std::uint64_t{5'000'000'000}},
  };
  const auto listen = list_policy(*find_setting("smtp.listen"), {"127.0.0.1 2525", "::1 2525"});
  entries.insert(entries.end(), listen.begin(), listen.end());

  const GpoSettings gpo = read_gpo_settings("Mail servers", entries);
  EXPECT_TRUE(gpo.problems.empty()) << gpo.problems.front();
  ASSERT_EQ(gpo.settings.size(), 6u);
  EXPECT_EQ(find(gpo, "smtp.max_recipients")->value, SettingValueData{std::int64_t{250}});
  EXPECT_EQ(find(gpo, "log.level")->value, SettingValueData{std::string("debug")});
  EXPECT_EQ(find(gpo, "log.stderr")->value, SettingValueData{false});
  EXPECT_EQ(find(gpo, "log.dir")->value, SettingValueData{std::string("/var/log/dirmail")});
  EXPECT_EQ(find(gpo, "store.mailbox_limit")->value, SettingValueData{std::int64_t{5'000'000'000}});
  EXPECT_EQ(find(gpo, "smtp.listen")->value,
            (SettingValueData{std::vector<std::string>{"127.0.0.1 2525", "::1 2525"}}));
}

// Every setting, written the way its template declares (type from
// registry_type_name()), reads back as the same value: the reader is the templates' inverse.
TEST(GpoSettings, EverySettingReadsBackAsItsTemplateWritesIt) {
  const Settings defaults = config::defaults("/etc/dirmail");
  for (const SettingSpec& spec : setting_specs()) {
    const PolicyRegistryValue reg = policy_registry_value(spec);
    SettingValueData value = setting_value(defaults, spec);
    std::vector<RegistryPolEntry> entries;
    const std::string name(reg.value_name);
    switch (reg.storage) {
      case PolicyStorage::Flag: entries.push_back(dword(reg.key, name, std::get<bool>(value) ? 1 : 0)); break;
      case PolicyStorage::Dword:
      case PolicyStorage::Qword: {
        // A negative default ("-1: inherit") is out of a policy's reach; 0 is within it.
        auto& n = std::get<std::int64_t>(value);
        n = std::max<std::int64_t>(n, static_cast<std::int64_t>(reg.min));
        const RegistryType type =
            registry_type_name(reg.storage) == "REG_QWORD" ? RegistryType::Qword : RegistryType::Dword;
        entries.push_back({reg.key, name, type, static_cast<std::uint64_t>(n)});
        break;
      }
      case PolicyStorage::Text: entries.push_back(text(reg.key, name, std::get<std::string>(value))); break;
      case PolicyStorage::List: entries = list_policy(spec, std::get<std::vector<std::string>>(value)); break;
    }
    const GpoSettings gpo = read_gpo_settings("G", entries);
    EXPECT_TRUE(gpo.problems.empty()) << spec.name << ": " << ::testing::PrintToString(gpo.problems);
    ASSERT_EQ(gpo.settings.size(), 1u) << spec.name;
    EXPECT_EQ(gpo.settings[0].spec, &spec);
    EXPECT_EQ(gpo.settings[0].value, value) << spec.name;
  }
}

TEST(GpoSettings, ReadsAFileWrittenAsTheTemplatesSay) {
  // Through the file format, with the registry's case-insensitivity.
  std::vector<RegistryPolEntry> entries = {dword("SOFTWARE\\Policies\\Dirmail\\SMTP", "smtpmaxrecipients", 9)};
  const auto empty_list = list_policy(*find_setting("smtp.relay_rules"), {});
  entries.insert(entries.end(), empty_list.begin(), empty_list.end());
  auto file = write_registry_pol(entries);
  ASSERT_TRUE(file.ok());
  auto read = read_registry_pol(*file);
  ASSERT_TRUE(read.ok());
  const GpoSettings gpo = read_gpo_settings("G", *read);
  EXPECT_TRUE(gpo.problems.empty());
  EXPECT_EQ(find(gpo, "smtp.max_recipients")->value, SettingValueData{std::int64_t{9}});
  // Enabled with no entries: the list is empty, which overrides dirmail.toml's.
  EXPECT_EQ(find(gpo, "smtp.relay_rules")->value, SettingValueData{std::vector<std::string>{}});
}

TEST(GpoSettings, ListEntriesFollowTheirNumbers) {
  const PolicyRegistryValue reg = policy_registry_value(*find_setting("smtp.relay_rules"));
  const std::vector<RegistryPolEntry> entries = {dword(reg.key, std::string(reg.value_name), 1),
                                                 text(reg.list_key, "10", "third"), text(reg.list_key, "2", "second"),
                                                 text(reg.list_key, "1", "first")};
  const GpoSettings gpo = read_gpo_settings("G", entries);
  EXPECT_EQ(find(gpo, "smtp.relay_rules")->value,
            (SettingValueData{std::vector<std::string>{"first", "second", "third"}}));
}

TEST(GpoSettings, ADisabledPolicyClearsTheValue) {
  const PolicyRegistryValue listen = policy_registry_value(*find_setting("smtp.listen"));
  const std::vector<RegistryPolEntry> entries = {del(kSmtp, "SmtpMaxRecipients"),
                                                 del(listen.key, std::string(listen.value_name)),
                                                 text(listen.list_key, "**delvals.", "")};
  const GpoSettings gpo = read_gpo_settings("G", entries);
  EXPECT_TRUE(gpo.problems.empty());
  ASSERT_NE(find(gpo, "smtp.max_recipients"), nullptr);
  EXPECT_FALSE(find(gpo, "smtp.max_recipients")->value.has_value());
  ASSERT_NE(find(gpo, "smtp.listen"), nullptr);
  EXPECT_FALSE(find(gpo, "smtp.listen")->value.has_value());
  // Not Configured: nothing at all.
  EXPECT_EQ(find(gpo, "log.level"), nullptr);
}

TEST(GpoSettings, FollowsTheInstructionsInFileOrder) {
  const std::vector<RegistryPolEntry> entries = {
      dword(kSmtp, "SmtpMaxRecipients", 5),
      text(kSmtp, "**DeleteValues", "SmtpMaxRecipients;SmtpVrfy"),
      dword(kSmtp, "SmtpAnswerVrfy", 1),
      text(kLog, "LogLevel", "warn"),
      text("Software\\Policies\\dirmail", "**DeleteKeys", "log"),
      text(kStore, "**soft.StoreBackend", "posix"),
      text(kSmtp, "SmtpSenderTrust", "envelope"),
      text(kSmtp, "**soft.SmtpSenderTrust", "auth_id"),
  };
  const GpoSettings gpo = read_gpo_settings("G", entries);
  EXPECT_TRUE(gpo.problems.empty()) << gpo.problems.front();
  EXPECT_FALSE(find(gpo, "smtp.max_recipients")->value.has_value());
  EXPECT_EQ(find(gpo, "smtp.vrfy")->value, SettingValueData{true});
  EXPECT_FALSE(find(gpo, "log.level")->value.has_value());
  // **soft. after a plain value of the same name does nothing.
  EXPECT_EQ(find(gpo, "smtp.sender_trust")->value, SettingValueData{std::string("envelope")});
  EXPECT_FALSE(find(gpo, "smtp.sender_trust")->only_if_unset);
}

TEST(GpoSettings, IgnoresOtherKeysAndUnknownValues) {
  const std::vector<RegistryPolEntry> entries = {
      dword("Software\\Policies\\Microsoft\\Windows NT\\DNSClient", "EnableMulticast", 0),
      dword("Software\\Policies\\dirmailx\\smtp", "SmtpMaxRecipients", 5),
      dword(kSmtp, "NoSuchPolicy", 5),
      text("Software\\Policies\\Microsoft", "**DeleteKeys", "Windows"),
  };
  const GpoSettings gpo = read_gpo_settings("G", entries);
  EXPECT_TRUE(gpo.settings.empty());
  EXPECT_TRUE(gpo.problems.empty());
}

TEST(GpoSettings, AnInvalidValueIsReportedAndIgnoredTheOthersApply) {
  const PolicyRegistryValue listen = policy_registry_value(*find_setting("smtp.listen"));
  const std::vector<RegistryPolEntry> entries = {
      dword(kSmtp, "SmtpMaxRecipients", 0),
      text(kLog, "LogLevel", "loud"),
      dword(kLog, "LogToStderr", 2),
      text(kLog, "LogDirectory", "logs"),
      dword(kSmtp, "SmtpAnswerVrfy", 1),
      text(kSmtp, "SmtpGreetingDelaySeconds", "5"),
      dword(listen.key, std::string(listen.value_name), 1),
      text(listen.list_key, "1", "not an address"),
  };
  const GpoSettings gpo = read_gpo_settings("Mail servers", entries);
  ASSERT_EQ(gpo.settings.size(), 1u);
  EXPECT_EQ(gpo.settings[0].spec->name, "smtp.vrfy");
  const std::vector<std::string> expected = {
      "GPO \"Mail servers\": log.dir: \"logs\" is relative; a policy must give an absolute path "
      "(HKLM\\Software\\Policies\\dirmail\\log\\LogDirectory); ignored",
      "GPO \"Mail servers\": log.level: \"loud\" is not one of debug, info, warn, error "
      "(HKLM\\Software\\Policies\\dirmail\\log\\LogLevel); ignored",
      "GPO \"Mail servers\": log.stderr: expected REG_DWORD 0 or 1, got REG_DWORD 2 "
      "(HKLM\\Software\\Policies\\dirmail\\log\\LogToStderr); ignored",
      "GPO \"Mail servers\": smtp.greeting_delay: expected REG_DWORD, got REG_SZ "
      "(HKLM\\Software\\Policies\\dirmail\\smtp\\SmtpGreetingDelaySeconds); ignored",
      "GPO \"Mail servers\": smtp.max_recipients: 0 is out of range 1..100000 "
      "(HKLM\\Software\\Policies\\dirmail\\smtp\\SmtpMaxRecipients); ignored",
  };
  ASSERT_EQ(gpo.problems.size(), expected.size() + 1) << ::testing::PrintToString(gpo.problems);
  for (const std::string& line : expected) {
    EXPECT_NE(std::find(gpo.problems.begin(), gpo.problems.end(), line), gpo.problems.end()) << line;
  }
  const bool listen_reported = std::any_of(gpo.problems.begin(), gpo.problems.end(), [](const std::string& p) {
    return p.starts_with("GPO \"Mail servers\": smtp.listen: ") &&
           p.ends_with("(HKLM\\Software\\Policies\\dirmail\\smtp\\SmtpListen\\*); ignored");
  });
  EXPECT_TRUE(listen_reported) << ::testing::PrintToString(gpo.problems);
}

TEST(GpoSettings, AListNeedsItsMarkerAndNumberedEntries) {
  const PolicyRegistryValue reg = policy_registry_value(*find_setting("smtp.relay_rules"));
  // Entries without the marker: Not Configured.
  EXPECT_TRUE(read_gpo_settings("G", std::vector{text(reg.list_key, "1", "a")}).settings.empty());
  const GpoSettings named = read_gpo_settings(
      "G", std::vector{dword(reg.key, std::string(reg.value_name), 1), text(reg.list_key, "first", "a")});
  EXPECT_TRUE(named.settings.empty());
  ASSERT_EQ(named.problems.size(), 1u);
  EXPECT_NE(named.problems[0].find("list entry name \"first\" is not a number"), std::string::npos);
}

TEST(GpoSettings, NegativeTableMinimumsStayOutOfReach) {
  // smtp.directory_retry_interval accepts -1 in dirmail.toml; a registry number cannot be negative.
  const GpoSettings gpo = read_gpo_settings("G", std::vector{dword(kSmtp, "SmtpADRetryMSec", 0xFFFFFFFF)});
  EXPECT_TRUE(gpo.settings.empty());
  ASSERT_EQ(gpo.problems.size(), 1u);
  EXPECT_NE(gpo.problems[0].find("4294967295 is out of range -1..600000"), std::string::npos) << gpo.problems[0];
}

// ---- merging --------------------------------------------------------------------

TEST(PolicyMerge, ALaterGpoOverridesAnEarlierOnePerSetting) {
  const std::vector<GpoSettings> gpos = {
      read_gpo_settings("Domain", std::vector{dword(kSmtp, "SmtpMaxRecipients", 10), text(kLog, "LogLevel", "warn")}),
      read_gpo_settings("Mail OU", std::vector{dword(kSmtp, "SmtpMaxRecipients", 20)}),
  };
  const MergedPolicy merged = merge_gpo_settings(gpos);
  ASSERT_EQ(merged.overrides.size(), 2u);
  EXPECT_EQ(merged.find("smtp.max_recipients")->gpo_name, "Mail OU");
  EXPECT_EQ(merged.find("smtp.max_recipients")->value, SettingValueData{std::int64_t{20}});
  EXPECT_EQ(merged.find("log.level")->gpo_name, "Domain");
  EXPECT_EQ(merged.find("log.stderr"), nullptr);
}

TEST(PolicyMerge, ADisabledPolicyLaterClearsAnEarlierValue) {
  const std::vector<GpoSettings> gpos = {
      read_gpo_settings("Domain", std::vector{dword(kSmtp, "SmtpMaxRecipients", 10)}),
      read_gpo_settings("Mail OU", std::vector{del(kSmtp, "SmtpMaxRecipients")}),
  };
  EXPECT_EQ(merge_gpo_settings(gpos).find("smtp.max_recipients"), nullptr);
}

TEST(PolicyMerge, SoftValuesFillOnlyWhatIsUnset) {
  const std::vector<GpoSettings> gpos = {
      read_gpo_settings("Domain", std::vector{text(kLog, "LogLevel", "warn")}),
      read_gpo_settings("Mail OU", std::vector{text(kLog, "**soft.LogLevel", "debug"),
                                               text(kSmtp, "**soft.SmtpSenderTrust", "envelope")}),
  };
  const MergedPolicy merged = merge_gpo_settings(gpos);
  EXPECT_EQ(merged.find("log.level")->gpo_name, "Domain");
  EXPECT_EQ(merged.find("smtp.sender_trust")->gpo_name, "Mail OU");
}

TEST(PolicyMerge, AnInvalidValueLeavesTheLowerGposValue) {
  const std::vector<GpoSettings> gpos = {
      read_gpo_settings("Domain", std::vector{dword(kSmtp, "SmtpMaxRecipients", 10)}),
      read_gpo_settings("Mail OU", std::vector{dword(kSmtp, "SmtpMaxRecipients", 0)}),
  };
  const MergedPolicy merged = merge_gpo_settings(gpos);
  EXPECT_EQ(merged.find("smtp.max_recipients")->gpo_name, "Domain");
  ASSERT_EQ(merged.problems.size(), 1u);
  EXPECT_TRUE(merged.problems[0].starts_with("GPO \"Mail OU\": smtp.max_recipients: ")) << merged.problems[0];
}

TEST(PolicyMerge, AppliesOverTheConfigurationFile) {
  auto settings = load_string("[smtp]\nmax_recipients = 50\nvrfy = true\n", "dirmail.toml", "/etc/dirmail");
  ASSERT_TRUE(settings.ok());
  const auto listen = list_policy(*find_setting("smtp.listen"), {"127.0.0.1 2525"});
  std::vector<RegistryPolEntry> entries = {dword(kSmtp, "SmtpMaxRecipients", 70)};
  entries.insert(entries.end(), listen.begin(), listen.end());
  const std::vector<GpoSettings> gpos = {read_gpo_settings("G", entries)};
  apply_policy(merge_gpo_settings(gpos), *settings);
  EXPECT_EQ(settings->smtp_max_recipients, 70);
  EXPECT_TRUE(settings->smtp_vrfy);
  EXPECT_EQ(settings->smtp_listen, std::vector<std::string>{"127.0.0.1 2525"});
}

TEST(PolicyMerge, FormatsValuesAsTheConfigurationFileWritesThem) {
  EXPECT_EQ(format_setting_value(true), "true");
  EXPECT_EQ(format_setting_value(std::int64_t{25}), "25");
  EXPECT_EQ(format_setting_value(std::string("a \"b\"")), "\"a \\\"b\\\"\"");
  EXPECT_EQ(format_setting_value(std::vector<std::string>{"x", "y"}), "[ \"x\", \"y\" ]");
}

}  // namespace
}  // namespace dirmail::config
