import ReportCommands

prepareBLASKernels()  // re-executes once with OPENBLAS_CORETYPE set, before OpenBLAS is used
MGDLReport.mainWithDocumentedExitCodes()  // exit status 0, 1 or 2 (see README)
