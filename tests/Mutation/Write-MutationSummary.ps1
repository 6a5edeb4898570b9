<#
.SYNOPSIS
    Writes summary.md beside a mutation report: the score of each mutated file and in all, every mutant that survived
    or that no test reaches, and every mutant left out on purpose with the reason written in the code beside it.
    Returns the score in all.
#>
param(
    [Parameter(Mandatory)] [string] $ReportPath,
    [Parameter(Mandatory)] [string] $SummaryPath
)

$ErrorActionPreference = 'Stop'
$report = Get-Content -Raw -LiteralPath $ReportPath | ConvertFrom-Json -AsHashtable
$root = $report.projectRoot
$detected = 'Killed', 'Timeout'
$missed = 'Survived', 'NoCoverage'

function Get-Score([int] $caught, [int] $all) {
    if ($all -eq 0) { return 100.0 }
    [math]::Round(100.0 * $caught / $all, 2)
}

function Format-Mutant([string] $file, [string[]] $lines, $mutant) {
    $line = $mutant.location.start.line
    $code = $lines[$line - 1].Trim()
    $replacement = ($mutant.replacement -replace '\s+', ' ')
    "- ``$(Split-Path -Leaf $file):$line`` $($mutant.mutatorName): ``$code`` → ``$replacement``"
}

$rows = [System.Collections.Generic.List[string]]::new()
$misses = [System.Collections.Generic.List[string]]::new()
$leftOut = [System.Collections.Generic.List[string]]::new()
$caughtAll = 0; $testedAll = 0
foreach ($file in $report.files.Keys | Sort-Object) {
    # Outside the files to mutate, the report lists mutants it never made; compile errors are mutants the compiler refused.
    $mutants = @($report.files[$file].mutants | Where-Object {
            $_.statusReason -ne 'Removed by mutate filter' -and $_.status -ne 'CompileError' -and $_.statusReason -notlike 'Removed by block*'
        })
    if ($mutants.Count -eq 0) { continue }
    $lines = $report.files[$file].source -split "`n"
    $caught = @($mutants | Where-Object status -in $detected).Count
    $survived = @($mutants | Where-Object status -in $missed)
    $tested = $caught + $survived.Count
    $caughtAll += $caught; $testedAll += $tested
    $relative = [System.IO.Path]::GetRelativePath($root, $file)
    $rows.Add("| ``$relative`` | $(Get-Score $caught $tested) % | $caught | $($survived.Count) |")
    foreach ($mutant in $survived) { $misses.Add("$(Format-Mutant $file $lines $mutant) ($($mutant.status))") }
    foreach ($mutant in $mutants | Where-Object status -eq 'Ignored') {
        $leftOut.Add("$(Format-Mutant $file $lines $mutant): $($mutant.statusReason)")
    }
}

$score = Get-Score $caughtAll $testedAll
$text = @(
    "# Mutation testing of the engine's rules"
    ''
    "Score: **$score %** ($caughtAll of $testedAll mutants caught by a test; killed or timed out)."
    ''
    '| File | Score | Caught | Missed |'
    '|---|---|---|---|'
    $rows
    ''
    '## Missed: survived, or no test reaches them'
    ''
    $(if ($misses.Count) { $misses } else { 'None.' })
    ''
    '## Left out on purpose (the reason is written beside the code)'
    ''
    $(if ($leftOut.Count) { $leftOut } else { 'None.' })
)
Set-Content -LiteralPath $SummaryPath -Value $text -Encoding utf8
$score
