# Autoloaded by fish from vendor_functions.d; shared by the completions of
# cgfreeze, cgkill and cgstat.
#
# Prints the job names below the job root, as `cgstat --names` does, one a
# line. Names are data: printed, never evaluated, and a line with a
# character no job name has (a tab would start a description) is left out.
function __cgjob_jobs
    # This machine's jobs, also when CGJOB_NODES is set: no ssh on a <Tab>.
    CGJOB_NODES= command cgstat (__cgjob_location) --names 2>/dev/null | string match -r -- '^[A-Za-z0-9_.:@+/-]+$'
end
