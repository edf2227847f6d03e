// Loading dirmail.toml: the values a user writes arrive in Settings, and every mistake
// is reported as "FILE:LINE: reason" naming the setting.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "dirmail/config/loader.hpp"

namespace dirmail::config {
namespace {

const std::string kBase = "/etc/dirmail";

std::string load_error(std::string_view toml) {
  auto loaded = load_string(toml, "dirmail.toml", kBase);
  if (loaded.ok()) return "(loaded fine)";
  EXPECT_EQ(loaded.error().code, ErrorCode::invalid_argument);
  return loaded.error().message;
}

TEST(Defaults, HaveTheDocumentedValues) {
  const Settings s = defaults(kBase);
  EXPECT_EQ(s.server_hostname, "");
  EXPECT_EQ(s.server_data_dir, "/var/lib/dirmail");
  EXPECT_EQ(s.server_io_threads, 0);
  EXPECT_EQ(s.server_blocking_threads, 8);
  EXPECT_EQ(s.server_shutdown_grace, 30);
  EXPECT_EQ(s.log_dir, "/var/lib/dirmail/log");
  EXPECT_EQ(s.log_level, "info");
  EXPECT_TRUE(s.log_stderr);
  EXPECT_EQ(s.directory_backend, "local");
  EXPECT_EQ(s.directory_local_database, "/var/lib/dirmail/accounts.sqlite");
  EXPECT_EQ(s.store_backend, "posix");
  EXPECT_EQ(s.store_mailbox_path, "mailboxes/%DOMAIN%/%USERNAME%");
  EXPECT_EQ(s.queue_dir, "/var/lib/dirmail/queue");
  EXPECT_EQ(s.delivery_local_workers, 20);
  EXPECT_EQ(s.delivery_retry_interval, 120);
  EXPECT_TRUE(s.smtp_enabled);
  EXPECT_EQ(s.smtp_listen, (std::vector<std::string>{"0.0.0.0 25"}));
  EXPECT_EQ(s.smtp_max_connections, 0);
  EXPECT_EQ(s.smtp_max_message_size, 26214400);
  EXPECT_EQ(s.smtp_max_recipients, 100);
  EXPECT_EQ(s.smtp_command_timeout, 300);
  EXPECT_EQ(s.smtp_data_timeout, 600);
  EXPECT_FALSE(s.submission_enabled);
  EXPECT_EQ(s.submission_listen, (std::vector<std::string>{"0.0.0.0 587"}));
  EXPECT_TRUE(s.pop3_enabled);
  EXPECT_EQ(s.pop3_listen, (std::vector<std::string>{"0.0.0.0 110"}));
  EXPECT_EQ(s.pop3_idle_timeout, 600);
  EXPECT_EQ(s.pop3_plaintext_auth, "never");
}

TEST(Loader, AnEmptyFileGivesTheDefaults) {
  auto loaded = load_string("", "dirmail.toml", kBase);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(*loaded, defaults(kBase));
}

TEST(Loader, ReadsEveryKindOfValue) {
  auto loaded = load_string(R"(# a comment
[server]
hostname = "mail.example.test"
io_threads = 2

[log]
level = "debug"
stderr = false

[smtp]
listen = ["127.0.0.1 2525", "::1 2525"]
max_message_size = 1048576
max_recipients = 5
)",
                            "dirmail.toml", kBase);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->server_hostname, "mail.example.test");
  EXPECT_EQ(loaded->server_io_threads, 2);
  EXPECT_EQ(loaded->log_level, "debug");
  EXPECT_FALSE(loaded->log_stderr);
  EXPECT_EQ(loaded->smtp_listen, (std::vector<std::string>{"127.0.0.1 2525", "::1 2525"}));
  EXPECT_EQ(loaded->smtp_max_message_size, 1048576);
  EXPECT_EQ(loaded->smtp_max_recipients, 5);
}

TEST(Loader, DottedKeysAtTheTopLevelNameASection) {
  auto loaded = load_string("pop3.plaintext_auth = \"always\"\nsmtp.enabled = false\n", "d.toml", kBase);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->pop3_plaintext_auth, "always");
  EXPECT_FALSE(loaded->smtp_enabled);
}

TEST(LoaderErrors, UnknownSetting) {
  EXPECT_EQ(load_error("[smtp]\nenabled = true\nmaxrecipients = 5\n"),
            "dirmail.toml:3: unknown setting \"smtp.maxrecipients\"");
}

TEST(LoaderErrors, UnknownSection) {
  EXPECT_EQ(load_error("\n[smtpd]\nenabled = true\n"), "dirmail.toml:2: unknown section \"smtpd\"");
}

TEST(LoaderErrors, SettingOutsideASection) {
  EXPECT_EQ(load_error("hostname = \"x\"\n"),
            "dirmail.toml:1: unknown setting \"hostname\"; settings belong in sections, e.g. \"server.hostname\"");
  EXPECT_EQ(load_error("smtp = 5\n"), "dirmail.toml:1: \"smtp\" must be a section ([smtp]), not an integer");
}

TEST(LoaderErrors, NestedTableIsAnUnknownSetting) {
  EXPECT_EQ(load_error("[smtp.tls]\ncert = \"x\"\n"), "dirmail.toml:1: unknown setting \"smtp.tls\"");
  // A dotted key inside [smtp] names the table smtp.pop3, not [pop3].
  EXPECT_EQ(load_error("[smtp]\npop3.enabled = false\n"), "dirmail.toml:2: unknown setting \"smtp.pop3\"");
}

TEST(LoaderErrors, WrongType) {
  EXPECT_EQ(load_error("[smtp]\n\nmax_recipients = \"100\"\n"),
            "dirmail.toml:3: smtp.max_recipients: expected an integer, got a string");
  EXPECT_EQ(load_error("[smtp]\nenabled = 1\n"), "dirmail.toml:2: smtp.enabled: expected true or false, got an integer");
  EXPECT_EQ(load_error("[server]\nshutdown_grace = 1.5\n"),
            "dirmail.toml:2: server.shutdown_grace: expected an integer, got a floating-point number");
  EXPECT_EQ(load_error("[smtp]\nlisten = \"0.0.0.0 25\"\n"),
            "dirmail.toml:2: smtp.listen: expected an array of strings, got a string");
  EXPECT_EQ(load_error("[smtp]\nlisten = [\n  \"0.0.0.0 25\",\n  25,\n]\n"),
            "dirmail.toml:4: smtp.listen: every entry must be a string, got an integer");
}

TEST(LoaderErrors, OutOfRange) {
  EXPECT_EQ(load_error("[smtp]\nmax_recipients = 0\n"),
            "dirmail.toml:2: smtp.max_recipients: 0 is out of range 1..100000");
  EXPECT_EQ(load_error("[pop3]\nidle_timeout = 29\n"), "dirmail.toml:2: pop3.idle_timeout: 29 is out of range 30..3600");
  EXPECT_EQ(load_error("[smtp]\nmax_message_size = -1\n"),
            "dirmail.toml:2: smtp.max_message_size: -1 is out of range 0..1073741824");
}

TEST(LoaderErrors, EnumValueNotAllowed) {
  EXPECT_EQ(load_error("[log]\nlevel = \"verbose\"\n"),
            "dirmail.toml:2: log.level: \"verbose\" is not one of debug, info, warn, error");
  EXPECT_EQ(load_error("[directory]\nbackend = \"nis\"\n"),
            "dirmail.toml:2: directory.backend: \"nis\" is not one of local, ad, ldap");
  // Enum values are case-sensitive, as TOML keys are.
  EXPECT_EQ(load_error("[log]\nlevel = \"INFO\"\n"),
            "dirmail.toml:2: log.level: \"INFO\" is not one of debug, info, warn, error");
}

TEST(LoaderErrors, MalformedListenEntry) {
  EXPECT_EQ(load_error("[pop3]\nlisten = [\"0.0.0.0:110\"]\n"),
            "dirmail.toml:2: pop3.listen: listen entry \"0.0.0.0:110\" is not \"ADDRESS PORT\" or \"ADDRESS PORT*\"");
  EXPECT_EQ(load_error("[pop3]\nlisten = [\"0.0.0.0 110\", \"0.0.0.0 0\"]\n"),
            "dirmail.toml:2: pop3.listen: port \"0\" is not a number in 1..65535");
  EXPECT_EQ(load_error("[smtp]\nlisten = [\n\"mail.example.test 25\"]\n"),
            "dirmail.toml:3: smtp.listen: \"mail.example.test\" is not an IPv4 or IPv6 address");
  EXPECT_EQ(load_error("[submission]\nlisten = [\"::1 65536\"]\n"),
            "dirmail.toml:2: submission.listen: port \"65536\" is not a number in 1..65535");
}

TEST(LoaderErrors, StringWithNulIsRefused) {
  EXPECT_EQ(load_error("[server]\nhostname = \"a\\u0000b\"\n"),
            "dirmail.toml:2: server.hostname: contains a NUL character");
}

TEST(LoaderErrors, OverlongStringIsRefused) {
  EXPECT_EQ(load_error("[server]\nhostname = \"" + std::string(5000, 'a') + "\"\n"),
            "dirmail.toml:2: server.hostname: longer than 4096 bytes");
}

TEST(LoaderErrors, SyntaxErrorGivesTheLine) {
  const std::string message = load_error("[smtp]\nenabled = true\nmax_recipients = \n");
  EXPECT_EQ(message.rfind("dirmail.toml:3: TOML syntax error at column ", 0), 0u) << message;
}

TEST(LoaderErrors, DuplicateKeyIsASyntaxError) {
  const std::string message = load_error("[smtp]\nenabled = true\nenabled = false\n");
  EXPECT_EQ(message.rfind("dirmail.toml:3: TOML syntax error", 0), 0u) << message;
}

TEST(LoaderErrors, EveryProblemIsReportedInFileOrder) {
  EXPECT_EQ(load_error("[smtp]\nmax_recipients = 0\nbogus = 1\n[log]\nlevel = \"loud\"\n[aaa]\nx = 1\n"),
            "dirmail.toml:2: smtp.max_recipients: 0 is out of range 1..100000\n"
            "dirmail.toml:3: unknown setting \"smtp.bogus\"\n"
            "dirmail.toml:5: log.level: \"loud\" is not one of debug, info, warn, error\n"
            "dirmail.toml:6: unknown section \"aaa\"");
}

TEST(LoaderErrors, ManyProblemsAreCapped) {
  std::string toml = "[smtp]\n";
  for (int i = 0; i < 30; ++i) toml += "bogus" + std::to_string(i) + " = 1\n";
  const std::string message = load_error(toml);
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 20);
  EXPECT_NE(message.find("\ndirmail.toml: 10 more problems not shown"), std::string::npos) << message;
}

TEST(LoaderErrors, InputLargerThanTheLimitIsRefused) {
  std::string toml = "# " + std::string(kMaxConfigBytes, 'x') + "\n";
  auto loaded = load_string(toml, "big.toml", kBase);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::limit_exceeded);
  EXPECT_EQ(loaded.error().message, "big.toml: configuration is larger than 1 MiB");
}

TEST(LoaderErrors, EveryProblemStaysOnOneLine) {
  // A key or value quoted into a reason cannot add lines to the report.
  for (const char* text : {"[smtp]\n\"bad\\nkey\" = 1\n", "[smtp]\nenabled = fals\n"}) {
    auto loaded = load_string(text, "dirmail.toml", "/etc/dirmail");
    ASSERT_FALSE(loaded.ok()) << text;
    const std::string& m = loaded.error().message;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    EXPECT_EQ(m.rfind("dirmail.toml:2: ", 0), 0u) << m;
  }
}

TEST(Paths, LeadingDoubleSlashIsOneSlash) {
  auto loaded = load_string("[server]\ndata_dir = \"//srv//mail\"\n", "dirmail.toml", "/etc/dirmail");
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->server_data_dir, "/srv/mail");
  EXPECT_EQ(loaded->log_dir, "/srv/mail/log");
}

}  // namespace
}  // namespace dirmail::config
