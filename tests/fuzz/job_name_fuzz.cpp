// JOB arguments (lib/cgroup/job_name.*): whatever the user types, a valid name
// never reaches outside the job root or names the mount root.
#include "lib/cgroup/job_name.h"
#include "lib/base/text.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = as_text(data, size);
  const std::string_view mount = take_selector(text) & 1 ? "/sys/fs/cgroup/unified" : "";
  auto job = cgjob::JobName::parse(text, mount);
  if (job) {
    FUZZ_CHECK(!job->text.empty());
    FUZZ_CHECK(!job->relative.empty());
    FUZZ_CHECK(job->relative.front() != '/');
    for (auto part : cgjob::split(job->relative, '/')) {
      FUZZ_CHECK(!part.empty() && part != "." && part != "..");
      FUZZ_CHECK(part.size() <= 255);
      if (!job->absolute) FUZZ_CHECK(cgjob::validate_job_component(part));
    }
    FUZZ_CHECK(job->relative.find('\0') == std::string::npos);
  } else {
    FUZZ_CHECK(!job.error().message().empty());
  }
  (void)cgjob::validate_job_component(text);
  return 0;
}
