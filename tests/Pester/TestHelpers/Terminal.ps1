# For the Edit-ApiKey tests that go through an editor.
#
# The Pester run has no terminal (it runs -NonInteractive, and in CI its input is not a terminal), and Edit-ApiKey
# refuses to open an editor without one. So an editing test runs Edit-ApiKey in a child pwsh that has a
# pseudo-terminal: util-linux `script` (package bsdutils, essential on Debian) gives it one. The child writes what
# the command produced (output, warnings, error) as JSON to a file that the test reads.

# A string as a single-quoted POSIX shell word.
function ConvertTo-ShLiteral([string] $Value) {
    "'" + ($Value -replace "'", "'\''") + "'"
}

# The shell command line that starts the same pwsh as this session (no -NonInteractive unless given) to run $Script;
# with -NoExec the shell goes on after it (for a command after it).
function Get-ChildPwshCommandLine([string] $Script, [string[]] $PwshArguments = @(), [switch] $NoExec) {
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Script))
    $pwsh = Get-PwshCommand
    $words = @($pwsh) + @('-NoProfile') + $PwshArguments + @('-EncodedCommand', $encoded)
    $(if ($NoExec) { '' } else { 'exec ' }) + (($words | ForEach-Object { ConvertTo-ShLiteral $_ }) -join ' ')
}

# The script a child runs: imports the module, runs $Command (PowerShell text) and writes to $ResultPath, as JSON,
# the output (strings as Text; keys as Type, Id, Name, Key, Allowlist), the warnings, and the error that ended it
# (ErrorId = FullyQualifiedErrorId, Category).
function New-ChildScript([string] $Command, [string] $ResultPath) {
    @"
`$ErrorActionPreference = 'Stop'
Import-Module $(ConvertTo-PSLiteral $env:APIKEYMODULE_TEST_MODULE)
`$output = [System.Collections.Generic.List[object]]::new()
`$warnings = [System.Collections.Generic.List[string]]::new()
`$result = [ordered]@{ Finished = `$false; Output = `$output; Warnings = `$warnings; ErrorId = `$null; Category = `$null; Error = `$null }
try {
    & {
$Command
    } 3>&1 | ForEach-Object {
        if (`$_ -is [System.Management.Automation.WarningRecord]) { `$warnings.Add(`$_.Message) }
        elseif (`$_ -is [string]) { `$output.Add([ordered]@{ Type = 'System.String'; Text = `$_ }) }
        else {
            `$output.Add([ordered]@{
                Type = `$_.GetType().FullName; Id = `$_.Id; Name = `$_.Name
                Key = if (`$_.PSObject.Properties['Key']) { `$_.Key } else { `$null }
                Allowlist = @(`$_.Allowlist | ForEach-Object { '{0} {1}' -f `$_.Method, `$_.Resource }) -join '; '
            })
        }
    }
}
catch {
    `$result.ErrorId = `$_.FullyQualifiedErrorId
    `$result.Category = `$_.CategoryInfo.Category.ToString()
    `$result.Error = "`$_"
}
`$result.Finished = `$true
`$result | ConvertTo-Json -Depth 6 | Set-Content -LiteralPath $(ConvertTo-PSLiteral $ResultPath) -Encoding utf8
"@
}

# Strips terminal escape sequences from a transcript, to search it for text.
function Remove-TerminalEscapes([string] $Text) {
    $Text -replace '\x1b\[[0-9;?<=>]*[ -/]*[@-~]', '' -replace '\x1b\][^\x07\x1b]*(\x07|\x1b\\)', '' -replace '\x1b[()][0-9A-Za-z]', '' -replace '\x1b[=>78cDEHMNOZ]', ''
}

# A plan folder for scripted-editor.sh in $Folder (the test's $TestDrive), with the given files (name = content);
# returns its path.
function New-EditorPlan(
    [ValidateScript({ [IO.Path]::IsPathRooted($_) }, ErrorMessage = 'New-EditorPlan takes the test''s folder first, then the plan''s files: New-EditorPlan $TestDrive $files')]
    [string] $Folder = $(throw 'New-EditorPlan takes the test''s folder first: New-EditorPlan $TestDrive'),
    [hashtable] $Files = @{}
) {
    $plan = Join-Path $Folder "plan-$([guid]::NewGuid().ToString('N'))"
    New-Item -ItemType Directory -Path $plan | Out-Null
    foreach ($name in $Files.Keys) {
        [IO.File]::WriteAllText((Join-Path $plan $name), $Files[$name])
    }
    $plan
}

# The EDITOR value that runs scripted-editor.sh with a plan: a command with arguments, as "code --wait" is.
function Get-ScriptedEditorCommand([string] $Plan) {
    "sh `"$([IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../editors/scripted-editor.sh')))`" `"$Plan`""
}

# How many times the scripted editor was opened with this plan.
function Get-EditorOpenCount([string] $Plan) {
    $count = Join-Path $Plan 'count'
    if (Test-Path $count) { [int](Get-Content $count -Raw) } else { 0 }
}

# The document the scripted editor was given on its Nth opening.
function Get-OpenedDocument([string] $Plan, [int] $Opening = 1) {
    $path = Join-Path $Plan "opened-$Opening.yaml"
    if (-not (Test-Path $path)) { throw "The editor was not opened $Opening time(s) (plan $Plan)." }
    [IO.File]::ReadAllText($path)
}

# Two new folders for a child, in $Folder (the test's $TestDrive): Temp (its TMPDIR) and Runtime (its XDG_RUNTIME_DIR,
# so that Edit-ApiKey keeps its documents in Runtime/ApiKeyModule, the DocumentFolder).
function New-ChildFolders([string] $Folder = $(throw 'New-ChildFolders takes the test''s folder: New-ChildFolders $TestDrive')) {
    $id = [guid]::NewGuid().ToString('N')
    $folders = [pscustomobject]@{ Temp = (Join-Path $Folder "tmp-$id"); Runtime = (Join-Path $Folder "run-$id") }
    New-Item -ItemType Directory -Path $folders.Temp, $folders.Runtime | Out-Null
    $folders | Add-Member -PassThru DocumentFolder (Join-Path $folders.Runtime 'ApiKeyModule')
}

# The child's environment: this one without VISUAL and EDITOR, TMPDIR and XDG_RUNTIME_DIR set to the folders of
# New-ChildFolders, then $Environment ($null removes a variable).
function Set-ChildEnvironment([System.Diagnostics.ProcessStartInfo] $Info, [hashtable] $Environment, [object] $Folders) {
    $Info.Environment['TMPDIR'] = $Folders.Temp
    $Info.Environment['XDG_RUNTIME_DIR'] = $Folders.Runtime
    $Info.Environment.Remove('VISUAL') | Out-Null
    $Info.Environment.Remove('EDITOR') | Out-Null
    foreach ($name in $Environment.Keys) {
        if ($null -eq $Environment[$name]) { $Info.Environment.Remove($name) | Out-Null }
        else { $Info.Environment[$name] = [string]$Environment[$name] }
    }
}

<#
Runs $Command (PowerShell text, e.g. "Edit-ApiKey -StorePath '...'") in a child pwsh under `script`, so that its
input is a pseudo-terminal, and returns: ExitCode, Transcript (what the terminal showed, escapes removed), Result
(the child's JSON: Finished, Output, Warnings, ErrorId, Category, Error; $null if it wrote none), TempFolder (the child's
TMPDIR), DocumentFolder (where Edit-ApiKey puts the document: ApiKeyModule in the child's XDG_RUNTIME_DIR) and
AnswersSent. The child's result file and folders go in $Folder (the test's $TestDrive).

$Environment: variables for the child ($null removes one); VISUAL and EDITOR are removed unless given.
$Answers: typed into the terminal in order, each once the regular expression After matches what the terminal showed
after the previous answer's match, e.g. @{ After = 'Edit it again\?[\s\S]*?\(default is "Y"\):'; Send = "n`r" }.
There are no fixed waits.
A child that has not finished within $TimeoutSeconds is killed and the call throws (a safety net, not a timing test).
#>
function Invoke-InTerminal {
    param(
        [string] $Folder = $(throw 'Invoke-InTerminal takes the test''s folder: -Folder $TestDrive'),
        [Parameter(Mandatory)] [string] $Command,
        [hashtable] $Environment = @{},
        [object[]] $Answers = @(),
        [string[]] $PwshArguments = @(),
        [int] $TimeoutSeconds = 120
    )
    $id = [guid]::NewGuid().ToString('N')
    $resultPath = Join-Path $Folder "result-$id.json"
    $folders = New-ChildFolders $Folder
    $commandLine = Get-ChildPwshCommandLine -Script (New-ChildScript -Command $Command -ResultPath $resultPath) -PwshArguments $PwshArguments

    $info = [System.Diagnostics.ProcessStartInfo]::new('script')
    foreach ($argument in '-q', '-e', '-c', $commandLine, '/dev/null') { $info.ArgumentList.Add($argument) }
    $info.UseShellExecute = $false
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.Environment['SHELL'] = '/bin/sh'
    $info.Environment['TERM'] = 'xterm'
    Set-ChildEnvironment $info $Environment $folders

    $process = [System.Diagnostics.Process]::Start($info)
    $stderrTask = $process.StandardError.ReadToEndAsync()
    $stream = $process.StandardOutput.BaseStream
    $decoder = [Text.Encoding]::UTF8.GetDecoder()
    $buffer = [byte[]]::new(8192)
    $chars = [char[]]::new(8192)
    $transcript = [Text.StringBuilder]::new()
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    $next = 0
    $searchFrom = 0
    $answeredQueries = 0
    $read = $stream.ReadAsync($buffer, 0, $buffer.Length)
    try {
        while ($true) {
            if ($read.Wait(100)) {
                $count = $read.Result
                if ($count -eq 0) { break }
                $decoded = $decoder.GetChars($buffer, 0, $count, $chars, 0)
                $null = $transcript.Append($chars, 0, $decoded)
                $read = $stream.ReadAsync($buffer, 0, $buffer.Length)
                # Answer the cursor position queries (ESC [ 6 n) of .NET's console as a terminal would: unanswered,
                # each one costs the child a wait.
                $queries = ([regex]::Matches($transcript.ToString(), '\x1b\[6n')).Count
                while ($answeredQueries -lt $queries) {
                    $process.StandardInput.Write("$([char]27)[1;1R")
                    $process.StandardInput.Flush()
                    $answeredQueries++
                }
            }
            if ($next -lt $Answers.Count) {
                $plain = Remove-TerminalEscapes $transcript.ToString()
                $match = [regex]::new($Answers[$next].After).Match($plain, [Math]::Min($searchFrom, $plain.Length))
                if ($match.Success) {
                    $searchFrom = $match.Index + $match.Length
                    $process.StandardInput.Write($Answers[$next].Send)
                    $process.StandardInput.Flush()
                    $next++
                }
            }
            if ([DateTime]::UtcNow -gt $deadline) {
                $process.Kill($true)
                throw "The child did not finish within $TimeoutSeconds s (answers sent: $next of $($Answers.Count)). Terminal:`n$(Remove-TerminalEscapes $transcript.ToString())"
            }
        }
        if (-not $process.WaitForExit(60000)) {
            $process.Kill($true)
            throw "script did not exit after its output ended. Terminal:`n$(Remove-TerminalEscapes $transcript.ToString())"
        }
        $process.WaitForExit()
    }
    finally {
        $process.StandardInput.Close()
    }
    $stderr = $stderrTask.GetAwaiter().GetResult()
    $result = if (Test-Path $resultPath) { Get-Content $resultPath -Raw | ConvertFrom-Json } else { $null }
    [pscustomobject]@{
        ExitCode       = $process.ExitCode
        Transcript     = (Remove-TerminalEscapes $transcript.ToString()) + $stderr
        Result         = $result
        TempFolder     = $folders.Temp
        DocumentFolder = $folders.DocumentFolder
        AnswersSent    = $next
    }
}

# Like Invoke-InTerminal, but fails (with the terminal's text) unless the child ran the command to its end.
function Invoke-EditInTerminal {
    param(
        [string] $Folder = $(throw 'Invoke-EditInTerminal takes the test''s folder: -Folder $TestDrive'),
        [Parameter(Mandatory)] [string] $Command,
        [hashtable] $Environment = @{},
        [object[]] $Answers = @()
    )
    $run = Invoke-InTerminal -Folder $Folder -Command $Command -Environment $Environment -Answers $Answers
    if (-not $run.Result -or -not $run.Result.Finished) {
        throw "The child pwsh wrote no result (exit code $($run.ExitCode)). Terminal:`n$($run.Transcript)"
    }
    if ($run.AnswersSent -ne $Answers.Count) {
        throw "Only $($run.AnswersSent) of $($Answers.Count) answers were asked for. Terminal:`n$($run.Transcript)"
    }
    $run
}

<#
Runs $Command in a child pwsh WITHOUT a terminal: its input is a pipe that stays open (-Stdin Pipe: an editor or a
prompt would wait for it for ever) or /dev/null (-Stdin DevNull). Returns Exited (false when it had not finished
within $TimeoutSeconds; it is then killed), ExitCode, Result (as for Invoke-InTerminal), Output, TempFolder and
DocumentFolder. The child's result file and folders go in $Folder (the test's $TestDrive).
#>
function Invoke-WithoutTerminal {
    param(
        [string] $Folder = $(throw 'Invoke-WithoutTerminal takes the test''s folder: -Folder $TestDrive'),
        [Parameter(Mandatory)] [string] $Command,
        [hashtable] $Environment = @{},
        [ValidateSet('Pipe', 'DevNull')] [string] $Stdin = 'Pipe',
        [string[]] $PwshArguments = @(),
        [int] $TimeoutSeconds = 60
    )
    $id = [guid]::NewGuid().ToString('N')
    $resultPath = Join-Path $Folder "result-$id.json"
    $folders = New-ChildFolders $Folder
    $childScript = New-ChildScript -Command $Command -ResultPath $resultPath
    if ($Stdin -eq 'Pipe') {
        $pwsh = Get-PwshCommand
        $info = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile') + $PwshArguments +
            @('-EncodedCommand', [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($childScript)))) {
            $info.ArgumentList.Add($argument)
        }
        $info.RedirectStandardInput = $true
    }
    else {
        $info = [System.Diagnostics.ProcessStartInfo]::new('/bin/sh')
        $info.ArgumentList.Add('-c')
        $info.ArgumentList.Add((Get-ChildPwshCommandLine -Script $childScript -PwshArguments $PwshArguments) + ' < /dev/null')
    }
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    Set-ChildEnvironment $info $Environment $folders
    $process = [System.Diagnostics.Process]::Start($info)
    $stdoutTask = $process.StandardOutput.ReadToEndAsync()
    $stderrTask = $process.StandardError.ReadToEndAsync()
    try {
        $exited = $process.WaitForExit($TimeoutSeconds * 1000)
        if (-not $exited) { $process.Kill($true) }
        $process.WaitForExit()
    }
    finally {
        if ($Stdin -eq 'Pipe') { $process.StandardInput.Close() }
    }
    [pscustomobject]@{
        Exited         = $exited
        ExitCode       = $process.ExitCode
        Result         = if (Test-Path $resultPath) { Get-Content $resultPath -Raw | ConvertFrom-Json } else { $null }
        Output         = $stdoutTask.GetAwaiter().GetResult() + $stderrTask.GetAwaiter().GetResult()
        TempFolder     = $folders.Temp
        DocumentFolder = $folders.DocumentFolder
    }
}
