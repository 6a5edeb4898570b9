# Mutation testing (build.ps1 -Task Mutate) is too slow for every run; these check what could quietly go wrong with it
# between runs: a rules file renamed out of its list, a filtered test class gone, and the summary it writes.
BeforeAll {
    $root = Join-Path $PSScriptRoot '../..'
    $config = (Get-Content -Raw (Join-Path $root 'tests/Mutation/stryker-config.json') | ConvertFrom-Json).'stryker-config'
}

Describe 'Mutation testing' -Tag Once {
    It 'mutates files that exist, each named once' {
        $engine = @(Get-ChildItem (Join-Path $root 'src/ApiKeyModule.Engine') -Filter *.cs | ForEach-Object Name)
        $config.mutate.Count | Should -BeGreaterThan 20
        foreach ($pattern in $config.mutate) {
            $pattern | Should -Match '^\*\*/[\w.]+\.cs$'
            $pattern.Substring(3) | Should -BeIn $engine -Because "'$pattern' must name an engine file, or the file is no longer mutated"
        }
        $config.mutate | Sort-Object -Unique | Should -HaveCount $config.mutate.Count
    }

    It 'filters out only test classes that exist' {
        $classes = [regex]::Matches($config.'test-case-filter', 'FullyQualifiedName!~(\w+)') | ForEach-Object { $_.Groups[1].Value }
        $classes.Count | Should -BeGreaterThan 0
        foreach ($class in $classes) {
            Join-Path $root "tests/ApiKeyModule.Engine.Tests/$class.cs" | Should -Exist
        }
    }

    It 'fails the task below 85 %' {
        $config.thresholds.break | Should -Be 85
    }

    It 'summarizes a report: the score of caught mutants, each missed one and each left out with its reason' {
        $source = "class A`n{`n    bool F(int x) => x < 3;`n    int G() => 1 + 2;`n}"
        $mutant = { param($id, $status, $line, $mutator, $replacement, $reason)
            @{ id = $id; status = $status; statusReason = $reason; mutatorName = $mutator; replacement = $replacement
                location = @{ start = @{ line = $line; column = 1 }; end = @{ line = $line; column = 9 } } } }
        $report = @{
            projectRoot = '/p'
            files = @{
                '/p/A.cs' = @{ language = 'cs'; source = $source; mutants = @(
                        & $mutant 1 'Killed' 3 'Equality mutation' 'x <= 3' $null
                        & $mutant 2 'Timeout' 3 'Equality mutation' 'x > 3' $null
                        & $mutant 3 'Survived' 4 'Arithmetic mutation' '1 - 2' $null
                        & $mutant 4 'Killed' 4 'Arithmetic mutation' '1 * 2' $null
                        & $mutant 5 'Ignored' 3 'Boolean mutation' 'true' 'the bound is equivalent here.'
                        & $mutant 6 'CompileError' 3 'String mutation' '""' 'Mutant caused compile errors'
                    )
                }
                '/p/B.cs' = @{ language = 'cs'; source = 'class B { }'; mutants = @(
                        & $mutant 7 'Ignored' 1 'Block removal mutation' '{}' 'Removed by mutate filter'
                    )
                }
            }
        }
        $reportPath = Join-Path $TestDrive 'report.json'
        $report | ConvertTo-Json -Depth 10 | Set-Content $reportPath
        $summaryPath = Join-Path $TestDrive 'summary.md'

        $score = & (Join-Path $root 'tests/Mutation/Write-MutationSummary.ps1') -ReportPath $reportPath -SummaryPath $summaryPath

        $score | Should -Be 75
        $summary = Get-Content -Raw $summaryPath
        $summary | Should -Match 'Score: \*\*75 %\*\* \(3 of 4 mutants'
        $summary | Should -Match '\| `A\.cs` \| 75 % \| 3 \| 1 \|'
        $summary | Should -Not -Match 'B\.cs'
        $summary | Should -Match '- `A\.cs:4` Arithmetic mutation: `int G\(\) => 1 \+ 2;` → `1 - 2` \(Survived\)'
        $summary | Should -Match '- `A\.cs:3` Boolean mutation: `bool F\(int x\) => x < 3;` → `true`: the bound is equivalent here\.'
        $summary | Should -Not -Match 'compile errors'
    }
}
