#include "dirmail/base/log.hpp"
#include "dirmail/base/journal_sink.hpp"

#include <filesystem>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace dirmail::log {
namespace {

struct Registry {
  std::mutex mu;
  Options options;
  std::unordered_map<std::string, std::shared_ptr<spdlog::logger>> loggers;
};

Registry& registry() {
  static Registry r;
  return r;
}

spdlog::level::level_enum to_spd(Level l) {
  switch (l) {
    case Level::debug: return spdlog::level::debug;
    case Level::info: return spdlog::level::info;
    case Level::warn: return spdlog::level::warn;
    case Level::error: return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::shared_ptr<spdlog::logger> make_logger(const Options& o, const std::string& name) {
  std::vector<spdlog::sink_ptr> sinks;
  if (!o.dir.empty()) {
    auto folder = std::filesystem::path(o.dir) / name;
    std::filesystem::create_directories(folder);
    auto file = folder / ((o.node.empty() ? std::string("node") : o.node) + ".log");
    sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(file.string()));
  }
  if (o.to_stderr && o.to_journal) sinks.push_back(make_journal_sink());
  else if (o.to_stderr || sinks.empty()) sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  auto logger = std::make_shared<spdlog::logger>(name, sinks.begin(), sinks.end());
  // ISO time in UTC, level, service, then the structured fields and message.
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l service=%n %v", spdlog::pattern_time_type::utc);
  logger->set_level(to_spd(o.level));
  logger->flush_on(spdlog::level::info);
  return logger;
}

bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v)
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
  return false;
}

}  // namespace

std::string_view to_string(Record r) {
  switch (r) {
    case Record::receive: return "receive";
    case Record::send: return "send";
    case Record::accept: return "accept";
    case Record::sender: return "sender";
    case Record::failure: return "failure";
    case Record::session: return "session";
    case Record::auth: return "auth";
    case Record::store: return "store";
    case Record::daemon: return "daemon";
    case Record::directory: return "directory";
  }
  return "unknown";
}

void init(const Options& options) {
  auto& r = registry();
  std::lock_guard lock(r.mu);
  r.options = options;
  // Replace the sinks of loggers handed out before init, so their users follow.
  for (auto& [name, logger] : r.loggers) {
    auto fresh = make_logger(options, name);
    logger->sinks() = fresh->sinks();
    logger->set_level(fresh->level());
  }
}

void flush_all() {
  auto& r = registry();
  std::lock_guard lock(r.mu);
  for (auto& [name, logger] : r.loggers) logger->flush();
}

std::shared_ptr<spdlog::logger> service(std::string_view name) {
  auto& r = registry();
  std::lock_guard lock(r.mu);
  auto it = r.loggers.find(std::string(name));
  if (it != r.loggers.end()) return it->second;
  auto logger = make_logger(r.options, std::string(name));
  r.loggers.emplace(std::string(name), logger);
  return logger;
}

LogLine::LogLine(std::shared_ptr<spdlog::logger> logger, Record type) : logger_(std::move(logger)) {
  fmt::format_to(std::back_inserter(fields_), "type={}", to_string(type));
}

LogLine& LogLine::with(std::string_view key, std::string_view value) {
  if (needs_quotes(value)) {
    fmt::format_to(std::back_inserter(fields_), " {}=\"", key);
    for (char c : value) {
      if (c == '"' || c == '\\') fields_.push_back('\\');
      fields_.push_back(static_cast<unsigned char>(c) < 0x20 ? '?' : c);
    }
    fields_.push_back('"');
  } else {
    fmt::format_to(std::back_inserter(fields_), " {}={}", key, value);
  }
  return *this;
}

LogLine& LogLine::with(std::string_view key, std::uint64_t value) {
  fmt::format_to(std::back_inserter(fields_), " {}={}", key, value);
  return *this;
}

LogLine& LogLine::with(std::string_view key, std::int64_t value) {
  fmt::format_to(std::back_inserter(fields_), " {}={}", key, value);
  return *this;
}

void LogLine::write(Level level, std::string_view msg) {
  if (!logger_->should_log(to_spd(level))) return;
  if (msg.empty())
    logger_->log(to_spd(level), "{}", std::string_view(fields_.data(), fields_.size()));
  else
    logger_->log(to_spd(level), "{} msg=\"{}\"", std::string_view(fields_.data(), fields_.size()), msg);
}

}  // namespace dirmail::log
