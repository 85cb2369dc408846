import ReportCommands

prepareBLASKernels()  // re-executes once with OPENBLAS_CORETYPE set, before OpenBLAS is used
MGDLReport.main()
