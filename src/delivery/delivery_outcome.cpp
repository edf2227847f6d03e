#include "dirmail/delivery/delivery_outcome.hpp"

#include <fmt/format.h>

namespace dirmail::delivery {

std::string_view to_string(DeliveryOutcome outcome) {
  switch (outcome) {
    case DeliveryOutcome::delivered: return "delivered";
    case DeliveryOutcome::temporary: return "temporary";
    case DeliveryOutcome::permanent: return "permanent";
    case DeliveryOutcome::host_unreachable: return "host_unreachable";
    case DeliveryOutcome::line_fault: return "line_fault";
  }
  return "?";
}

std::string_view to_string(SmtpStage stage) {
  switch (stage) {
    case SmtpStage::connect: return "connect";
    case SmtpStage::tls: return "tls";
    case SmtpStage::greeting: return "greeting";
    case SmtpStage::ehlo: return "ehlo";
    case SmtpStage::starttls: return "starttls";
    case SmtpStage::auth: return "auth";
    case SmtpStage::rset: return "rset";
    case SmtpStage::mail: return "mail";
    case SmtpStage::rcpt: return "rcpt";
    case SmtpStage::data: return "data";
    case SmtpStage::message: return "message";
    case SmtpStage::data_end: return "data_end";
  }
  return "?";
}

std::string DeliveryResult::describe() const {
  std::string out;
  if (reply) {
    out = reply->summary();
    if (!reason.empty()) out += " (" + reason + ")";
  } else {
    out = fmt::format("{}: {}", to_string(outcome), reason);
  }
  return fmt::format("{} (at {})", out, to_string(stage));
}

DeliveryOutcome classify_reply(int code) {
  switch (code / 100) {
    case 2: return DeliveryOutcome::delivered;
    case 5: return DeliveryOutcome::permanent;
    default: return DeliveryOutcome::temporary;
  }
}

DeliveryOutcome classify_failure(SmtpStage stage, ErrorCode code) {
  switch (code) {
    case ErrorCode::internal:
    case ErrorCode::temporary_failure:
    case ErrorCode::invalid_argument:
      return DeliveryOutcome::temporary;
    default:
      break;
  }
  return stage == SmtpStage::connect ? DeliveryOutcome::host_unreachable : DeliveryOutcome::line_fault;
}

}  // namespace dirmail::delivery
