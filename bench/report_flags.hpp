#pragma once
// The flags the float benchmarks share besides Google Benchmark's own: --per_tensor (report rows
// per large tensor), --report_only (sizes and bounds, no timing), --no_report (timing only).
#include <cstdio>
#include <cstdlib>
#include <string>

namespace lcl::bench_tools {

struct ReportFlags {
  bool per_tensor = false, report_only = false, no_report = false;
};

// Call after benchmark::Initialize (which removes its own flags); exits with 2 on anything else.
inline ReportFlags parse_report_flags(int argc, char** argv) {
  ReportFlags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--per_tensor")
      flags.per_tensor = true;
    else if (arg == "--report_only")
      flags.report_only = true;
    else if (arg == "--no_report")
      flags.no_report = true;
    else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      std::exit(2);
    }
  }
  return flags;
}

}  // namespace lcl::bench_tools
