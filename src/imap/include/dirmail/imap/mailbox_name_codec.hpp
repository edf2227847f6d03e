#pragma once
// Modified UTF-7 (RFC 3501 §5.1.3): how IMAP4rev1 clients write mailbox names that are
// not plain ASCII. Printable ASCII stands for itself except '&', written "&-"; anything
// else is a run of UTF-16 in modified base64 (',' for '/', no padding) between '&' and
// '-': "Entwürfe" is "Entw&APw-rfe".
//
// The decoder accepts only the one canonical spelling of each name, so a name and its
// encoding round-trip exactly and two spellings never reach the store as one folder.
#include <string>
#include <string_view>

#include "dirmail/base/result.hpp"

namespace dirmail::imap {

// The UTF-8 form of a client's name. invalid_argument when the text is not canonical
// modified UTF-7: a byte outside printable ASCII, a base64 run that is empty,
// unterminated, has a bad character or left-over bits, encodes printable ASCII, holds
// an unpaired surrogate, or directly follows another run.
Result<std::string> decode_mailbox_name(std::string_view mutf7);

// The modified UTF-7 form of a UTF-8 name (the store's), for LIST, LSUB and STATUS.
// invalid_argument when `utf8` is not valid UTF-8.
Result<std::string> encode_mailbox_name(std::string_view utf8);

}  // namespace dirmail::imap
