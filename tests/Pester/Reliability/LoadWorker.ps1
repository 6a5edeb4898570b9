# One process of the load test (Load.Tests.ps1). Started by the test, many at once, on one store:
#   Creator  creates $Count keys through one pipeline (New-ApiKey), printing "<id> <index> <name> <key>" for each key
#            right after it gets it; every 20th key it resets one of its own earlier keys (index i-10, printing the
#            new key the same way), verifies some of its own latest keys (they must verify: no other process
#            touches them) and reads the store (Get-ApiKey: one key by id; every 100 keys its own by wildcard).
#   Reader   until the stop file exists: lists every key (the count may only grow), reads by name and by id, and
#            reads the audit log.
#   Verifier until the stop file exists: verifies keys the creators printed that are never reset (they must verify),
#            with and without -Method/-Resource, and a malformed key (a failed verification is a write too).
# Every process waits for the go file, so they all start on the store at once, and ends by writing a JSON result
# with its error count ($Error, which holds every error of any kind), its error texts and counters.
param(
    [Parameter(Mandatory)] [string] $Module,
    [Parameter(Mandatory)] [string] $Store,
    [Parameter(Mandatory)] [ValidateSet('Creator', 'Reader', 'Verifier')] [string] $Role,
    [Parameter(Mandatory)] [int] $Index,
    [Parameter(Mandatory)] [string] $WorkDir,
    [int] $Count = 500
)
$ErrorActionPreference = 'Continue'
Import-Module $Module

$name = "$Role-$Index"
$stats = [ordered]@{ Role = $Role; Index = $Index; Created = 0; Resets = 0; Verifies = 0; VerifyFailures = 0; Reads = 0; ReadAnomalies = 0; Anomalies = [System.Collections.Generic.List[string]]::new() }
function Add-Anomaly([string] $Text) {
    if ($stats.Anomalies.Count -lt 20) { $stats.Anomalies.Add($Text) }
}

# Warm up (loads SQLite and JIT-compiles the cmdlets) on the store, which the test created beforehand.
$null = Get-ApiKey -StorePath $Store -Id 1 -ErrorAction SilentlyContinue
$Error.Clear()
$null = New-Item -ItemType File -Path (Join-Path $WorkDir "ready-$name")
$go = Join-Path $WorkDir 'go'
$stop = Join-Path $WorkDir 'stop'
$deadline = [DateTime]::UtcNow.AddMinutes(5)
while (-not [IO.File]::Exists($go)) {
    if ([DateTime]::UtcNow -gt $deadline) { exit 3 }
    Start-Sleep -Milliseconds 2
}
$watch = [Diagnostics.Stopwatch]::StartNew()

switch ($Role) {
    'Creator' {
        $out = [IO.FileStream]::new((Join-Path $WorkDir "keys-$Index.txt"), 'Append', 'Write', 'ReadWrite')
        function Write-KeyLine([string] $Line) {
            $bytes = [Text.Encoding]::ASCII.GetBytes($Line + "`n")
            $out.Write($bytes, 0, $bytes.Length)
            $out.Flush()
        }
        $ids = [System.Collections.Generic.List[int]]::new()
        $latest = @{}
        1..$Count | ForEach-Object { "p$Index-k$_" } | New-ApiKey -StorePath $Store -WarningAction SilentlyContinue | ForEach-Object {
            $ids.Add($_.Id)
            $latest[$_.Id] = $_.Key
            $stats.Created++
            $i = $ids.Count
            Write-KeyLine "$($_.Id) $i $($_.Name) $($_.Key)"
            if ($_.Name -ne "p$Index-k$i") { Add-Anomaly "key $i came back named '$($_.Name)'" }
            if ($i % 20 -eq 0) {
                $target = $ids[$i - 11]
                $reset = Set-ApiKey -StorePath $Store -Id $target -Reset
                if ($reset) {
                    $latest[$target] = $reset.Key
                    $stats.Resets++
                    Write-KeyLine "$($reset.Id) $($i - 10) $($reset.Name) $($reset.Key)"
                }
                foreach ($id in @($target) + @($ids | Get-Random -Count 4)) {
                    $stats.Verifies++
                    if (-not (Test-ApiKey -StorePath $Store -Key $latest[$id])) {
                        $stats.VerifyFailures++
                        Add-Anomaly "own key of id $id did not verify"
                    }
                }
                # Reads: one key by id every time, its own keys by wildcard every 100 keys (the reader lists them all).
                $one = Get-ApiKey -StorePath $Store -Id $target
                $mine = if ($i % 100 -eq 0) { @(Get-ApiKey -StorePath $Store -Name "p$Index-*") } else { $null }
                $stats.Reads++
                if ($one.Name -ne "p$Index-k$($i - 10)" -or ($null -ne $mine -and $mine.Count -ne $i)) {
                    $stats.ReadAnomalies++
                    Add-Anomaly "read at key ${i}: id $target named '$($one.Name)', own keys $($mine.Count)"
                }
            }
        }
        $out.Dispose()
    }
    'Reader' {
        $last = 0
        $deadline = [DateTime]::UtcNow.AddMinutes(5)
        while (-not [IO.File]::Exists($stop) -and [DateTime]::UtcNow -lt $deadline) {
            $all = @(Get-ApiKey -StorePath $Store)
            $stats.Reads++
            if ($all.Count -lt $last) {
                $stats.ReadAnomalies++
                Add-Anomaly "the key count went down from $last to $($all.Count)"
            }
            $last = $all.Count
            if (@($all.Id | Select-Object -Unique).Count -ne $all.Count) {
                $stats.ReadAnomalies++
                Add-Anomaly 'Get-ApiKey listed an id twice'
            }
            if ($all.Count -gt 0) {
                $pick = $all | Get-Random
                $byId = Get-ApiKey -StorePath $Store -Id $pick.Id
                $byName = @(Get-ApiKey -StorePath $Store -Name $pick.Name)
                $pattern = @(Get-ApiKey -StorePath $Store -Name "$($pick.Name.Split('-')[0])-k1*")
                $log = @(Get-ApiKeyAuditLog -StorePath $Store -Id $pick.Id)
                if ($byId.Name -ne $pick.Name -or $byName.Count -ne 1 -or $pattern.Count -lt 1 -or $log.Count -lt 1) {
                    $stats.ReadAnomalies++
                    Add-Anomaly "reads of id $($pick.Id) disagree: '$($byId.Name)', $($byName.Count) by name, $($pattern.Count) by pattern, $($log.Count) audit rows"
                }
            }
        }
    }
    'Verifier' {
        $malformed = 'not-a-key'
        $deadline = [DateTime]::UtcNow.AddMinutes(5)
        while (-not [IO.File]::Exists($stop) -and [DateTime]::UtcNow -lt $deadline) {
            $lines = foreach ($file in Get-ChildItem -LiteralPath $WorkDir -Filter 'keys-*.txt') {
                $text = [IO.File]::ReadAllText($file.FullName)
                $end = $text.LastIndexOf("`n")
                if ($end -gt 0) { $text.Substring(0, $end).Split("`n") }
            }
            # Keys of index 10, 30, 50... are reset by their creator; every other printed key must verify.
            $stable = @($lines | Where-Object { $_ -and ([int]($_.Split(' ')[1]) % 20) -ne 10 })
            if ($stable.Count -eq 0) { Start-Sleep -Milliseconds 20; continue }
            foreach ($line in @($stable | Get-Random -Count ([Math]::Min(10, $stable.Count)))) {
                $key = $line.Split(' ')[3]
                $stats.Verifies++
                if (-not (Test-ApiKey -StorePath $Store -Key $key)) {
                    $stats.VerifyFailures++
                    Add-Anomaly "printed key of line '$($line.Split(' ')[0..2])' did not verify"
                }
            }
            # Keys are created without an allowlist: a call is Forbidden; and a malformed key is refused. Both are
            # audited failures, so they write to the store too.
            $forbidden = Test-ApiKey -StorePath $Store -Key $stable[-1].Split(' ')[3] -Method GET -Resource '/x' -Detailed
            $bad = Test-ApiKey -StorePath $Store -Key $malformed -Detailed
            $stats.Verifies += 2
            if ($forbidden.Code -ne 'Forbidden' -or $bad.Code -ne 'Malformed') {
                $stats.VerifyFailures++
                Add-Anomaly "expected Forbidden and Malformed, got $($forbidden.Code) and $($bad.Code)"
            }
        }
    }
}

$result = [ordered]@{
    Stats      = $stats
    Errors     = $Error.Count
    ErrorTexts = @($Error | Select-Object -First 20 | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" })
    Seconds    = $watch.Elapsed.TotalSeconds
}
$result | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath (Join-Path $WorkDir "result-$name.json")
exit 0
