#include "dirmail/store/index_record.hpp"

#include <charconv>
#include <cstdint>
#include <vector>

#include <fmt/format.h>

#include "dirmail/base/strings.hpp"
#include "message_names.hpp"

namespace dirmail::store {
namespace {

Error corrupt(std::string_view why) {
  return make_error(ErrorCode::io_error, "index record damaged: " + std::string(why));
}

template <typename T>
bool parse_number(std::string_view text, T& out, int base = 10) {
  if (text.empty() || text.size() > 20) return false;
  if (text.front() == '+') return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc() && ptr == text.data() + text.size();
}

bool parse_uid(std::string_view text, std::uint32_t& uid) {
  // UID 0 is invalid in IMAP; UINT32_MAX is kept free so uidnext always fits.
  return parse_number(text, uid) && uid != 0 && uid != UINT32_MAX;
}

bool parse_flags(std::string_view text, std::uint8_t& flags) {
  unsigned value = 0;
  if (!parse_number(text, value) || (value & ~static_cast<unsigned>(kAllFlags)) != 0) return false;
  flags = static_cast<std::uint8_t>(value);
  return true;
}

bool parse_modseq(std::string_view text, std::uint64_t& modseq) {
  // RFC 7162: positive, at most 63 bits.
  return parse_number(text, modseq) && modseq != 0 && modseq <= INT64_MAX;
}

bool parse_keywords(std::string_view text, std::uint64_t& mask) {
  return text.size() <= 16 && parse_number(text, mask, 16);
}

std::string payload_of(const IndexRecord& r) {
  // modseq 0 (records of earlier versions, in tests) keeps the older form.
  const bool modseq = r.info.modseq != 0;
  switch (r.kind) {
    case IndexRecord::Kind::header:
      if (!r.header.has_modseq)
        return fmt::format("H {} {} {:016x}", r.header.uidvalidity, r.header.uidnext, r.header.generation);
      return fmt::format("H {} {} {:016x} {} {} {}", r.header.uidvalidity, r.header.uidnext, r.header.generation,
                         r.header.highest_modseq, r.header.first_recent_uid, r.header.expunges_from);
    case IndexRecord::Kind::add:
      if (!modseq)
        return fmt::format("A {} {} {} {} {} {}", r.info.uid, r.info.size, r.info.internal_date,
                           static_cast<unsigned>(r.info.flags), r.info.uidl, r.file);
      return fmt::format("A {} {} {} {} {} {} {:x} {}", r.info.uid, r.info.size, r.info.internal_date,
                         static_cast<unsigned>(r.info.flags), r.info.uidl, r.file, r.info.keywords, r.info.modseq);
    case IndexRecord::Kind::flags:
      if (!modseq) return fmt::format("F {} {}", r.info.uid, static_cast<unsigned>(r.info.flags));
      return fmt::format("F {} {} {:x} {}", r.info.uid, static_cast<unsigned>(r.info.flags), r.info.keywords,
                         r.info.modseq);
    case IndexRecord::Kind::expunge:
      if (!modseq) return fmt::format("X {}", r.info.uid);
      return fmt::format("X {} {}", r.info.uid, r.info.modseq);
    case IndexRecord::Kind::keyword:
      return fmt::format("K {} {}", static_cast<unsigned>(r.bit), r.file);
    case IndexRecord::Kind::recent:
      return fmt::format("R {}", r.info.uid);
  }
  return {};
}

}  // namespace

IndexRecord IndexRecord::make_header(const IndexHeader& header) {
  IndexRecord r;
  r.kind = Kind::header;
  r.header = header;
  return r;
}

IndexRecord IndexRecord::make_add(MessageInfo info, std::string file) {
  IndexRecord r;
  r.kind = Kind::add;
  r.info = std::move(info);
  r.file = std::move(file);
  return r;
}

IndexRecord IndexRecord::make_flags(std::uint32_t uid, std::uint8_t flags, std::uint64_t keywords) {
  IndexRecord r;
  r.kind = Kind::flags;
  r.info.uid = uid;
  r.info.flags = flags;
  r.info.keywords = keywords;
  return r;
}

IndexRecord IndexRecord::make_keyword(std::uint8_t bit, std::string name) {
  IndexRecord r;
  r.kind = Kind::keyword;
  r.bit = bit;
  r.file = std::move(name);
  return r;
}

IndexRecord IndexRecord::make_recent(std::uint32_t first_unclaimed_uid) {
  IndexRecord r;
  r.kind = Kind::recent;
  r.info.uid = first_unclaimed_uid;
  return r;
}

IndexRecord IndexRecord::make_expunge(std::uint32_t uid) {
  IndexRecord r;
  r.kind = Kind::expunge;
  r.info.uid = uid;
  return r;
}

std::string format_index_record(const IndexRecord& record) {
  std::string payload = payload_of(record);
  return fmt::format("{:08x} {}\n", fnv1a32(payload), payload);
}

Result<IndexRecord> parse_index_record(std::string_view line) {
  if (line.size() + 1 > kMaxIndexRecordBytes) return corrupt("too long");
  if (line.size() < 11 || line[8] != ' ') return corrupt("too short");
  std::uint32_t checksum = 0;
  if (!parse_number(line.substr(0, 8), checksum, 16)) return corrupt("bad checksum field");
  std::string_view payload = line.substr(9);
  if (fnv1a32(payload) != checksum) return corrupt("checksum mismatch");

  auto fields = split(payload, ' ');
  if (fields[0] == "H" && (fields.size() == 4 || fields.size() == 7)) {
    IndexHeader h;
    if (!parse_number(fields[1], h.uidvalidity) || h.uidvalidity == 0) return corrupt("bad uidvalidity");
    if (!parse_number(fields[2], h.uidnext) || h.uidnext == 0) return corrupt("bad uidnext");
    if (fields[3].size() != 16 || !parse_number(fields[3], h.generation, 16)) return corrupt("bad generation");
    h.has_modseq = fields.size() == 7;
    if (h.has_modseq) {
      if (!parse_number(fields[4], h.highest_modseq) || h.highest_modseq > INT64_MAX) return corrupt("bad modseq");
      if (!parse_number(fields[5], h.first_recent_uid) || h.first_recent_uid == 0) return corrupt("bad recent uid");
      if (!parse_number(fields[6], h.expunges_from) || h.expunges_from > h.highest_modseq)
        return corrupt("bad expunge modseq");
    } else {
      h.first_recent_uid = h.uidnext;  // earlier versions had no \Recent: none is new
    }
    return IndexRecord::make_header(h);
  }
  if (fields[0] == "A" && (fields.size() == 7 || fields.size() == 9)) {
    MessageInfo info;
    if (!parse_uid(fields[1], info.uid)) return corrupt("bad uid");
    if (!parse_number(fields[2], info.size)) return corrupt("bad size");
    if (!parse_number(fields[3], info.internal_date)) return corrupt("bad date");
    if (!parse_flags(fields[4], info.flags)) return corrupt("bad flags");
    if (!valid_uidl(fields[5])) return corrupt("bad uidl");
    if (!valid_message_file_name(fields[6])) return corrupt("bad file name");
    if (fields.size() == 9) {
      if (!parse_keywords(fields[7], info.keywords)) return corrupt("bad keywords");
      if (!parse_modseq(fields[8], info.modseq)) return corrupt("bad modseq");
    }
    info.uidl = std::string(fields[5]);
    return IndexRecord::make_add(std::move(info), std::string(fields[6]));
  }
  if (fields[0] == "F" && (fields.size() == 3 || fields.size() == 5)) {
    std::uint32_t uid = 0;
    std::uint8_t flags = 0;
    std::uint64_t keywords = 0;
    std::uint64_t modseq = 0;
    if (!parse_uid(fields[1], uid)) return corrupt("bad uid");
    if (!parse_flags(fields[2], flags)) return corrupt("bad flags");
    if (fields.size() == 5) {
      if (!parse_keywords(fields[3], keywords)) return corrupt("bad keywords");
      if (!parse_modseq(fields[4], modseq)) return corrupt("bad modseq");
    }
    IndexRecord r = IndexRecord::make_flags(uid, flags, keywords);
    r.info.modseq = modseq;
    r.keeps_keywords = fields.size() == 3;
    return r;
  }
  if (fields[0] == "X" && (fields.size() == 2 || fields.size() == 3)) {
    std::uint32_t uid = 0;
    if (!parse_uid(fields[1], uid)) return corrupt("bad uid");
    IndexRecord r = IndexRecord::make_expunge(uid);
    if (fields.size() == 3 && !parse_modseq(fields[2], r.info.modseq)) return corrupt("bad modseq");
    return r;
  }
  if (fields[0] == "K" && fields.size() == 3) {
    unsigned bit = 0;
    if (!parse_number(fields[1], bit) || bit >= kMaxKeywords) return corrupt("bad keyword bit");
    if (!valid_keyword(fields[2])) return corrupt("bad keyword");
    return IndexRecord::make_keyword(static_cast<std::uint8_t>(bit), std::string(fields[2]));
  }
  if (fields[0] == "R" && fields.size() == 2) {
    std::uint32_t uid = 0;
    if (!parse_number(fields[1], uid) || uid == 0) return corrupt("bad uid");
    return IndexRecord::make_recent(uid);
  }
  return corrupt("unknown record");
}

}  // namespace dirmail::store
