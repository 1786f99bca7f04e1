// The grammar of `.net` files as a pure Chevrotain CstParser: no embedded actions, so the same
// rules serve parsing, error recovery and (via the visitor) AST building.
//
// Every statement, layer line and setting ends with a StatementEnd token; `layout()` guarantees one
// before each `}` and at end of file, so the rules need no special case for the last line. Putting
// the end inside the `*Line` rules means a failed statement resynchronises at its own line end.
import { CstParser } from "chevrotain";
import { parserErrorMessages } from "./errors.js";
import {
  AdditiveOperator, Block, Colon, Comma, Dot, Equals, Identifier, Input, Layers, LBracket, LCurly,
  Loss, LParen, Model, MultiplicativeOperator, Minus, NumberLiteral, Output, Param, PARSER_TOKENS,
  RBracket, RCurly, Return, RParen, StatementEnd, Target, Train, Tune,
} from "./tokens.js";

class NetParser extends CstParser {
  constructor() {
    super(PARSER_TOKENS, {
      recoveryEnabled: true,
      nodeLocationTracking: "full",
      errorMessageProvider: parserErrorMessages,
    });
    this.performSelfAnalysis();
  }

  // Separators are consumed apart from declarations so that the repetition of declarations can
  // only restart at `model` or `block`: after a stray token at top level, recovery skips to the
  // next declaration instead of reporting every line in between.
  file = this.RULE("file", () => {
    this.MANY(() => this.CONSUME(StatementEnd));
    this.MANY2(() => {
      this.SUBRULE(this.declaration);
      this.MANY3(() => this.CONSUME2(StatementEnd));
    });
  });

  declaration = this.RULE("declaration", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.modelDecl) },
      { ALT: () => this.SUBRULE(this.blockDecl) },
    ]);
  });

  modelDecl = this.RULE("modelDecl", () => {
    this.CONSUME(Model);
    this.CONSUME(Identifier);
    this.SUBRULE(this.body);
  });

  blockDecl = this.RULE("blockDecl", () => {
    this.CONSUME(Block);
    this.CONSUME(Identifier);
    this.CONSUME(LParen);
    this.CONSUME2(Identifier);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.CONSUME3(Identifier);
    });
    this.CONSUME(RParen);
    this.SUBRULE(this.body);
  });

  body = this.RULE("body", () => {
    this.CONSUME(LCurly);
    this.MANY(() => this.SUBRULE(this.statementLine));
    this.CONSUME(RCurly);
  });

  statementLine = this.RULE("statementLine", () => {
    this.OR([
      { ALT: () => this.CONSUME(StatementEnd) },
      {
        ALT: () => {
          this.SUBRULE(this.statement);
          this.CONSUME2(StatementEnd);
        },
      },
    ]);
  });

  statement = this.RULE("statement", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.inputStmt) },
      { ALT: () => this.SUBRULE(this.targetStmt) },
      { ALT: () => this.SUBRULE(this.paramStmt) },
      { ALT: () => this.SUBRULE(this.assignStmt) },
      { ALT: () => this.SUBRULE(this.outputStmt) },
      { ALT: () => this.SUBRULE(this.lossStmt) },
      { ALT: () => this.SUBRULE(this.layersStmt) },
      { ALT: () => this.SUBRULE(this.trainStmt) },
      { ALT: () => this.SUBRULE(this.tuneStmt) },
      { ALT: () => this.SUBRULE(this.returnStmt) },
    ]);
  });

  inputStmt = this.RULE("inputStmt", () => {
    this.CONSUME(Input);
    this.CONSUME(Identifier);
    this.SUBRULE(this.dims);
    // `input s[12]: index(27)`: each value an integer id; the visitor checks the word.
    this.OPTION(() => this.SUBRULE(this.valueKind));
  });

  targetStmt = this.RULE("targetStmt", () => {
    this.CONSUME(Target);
    this.CONSUME(Identifier);
    // `target y[1]`, `target label: class(3)`, or one class per position `target y[12]: class(27)`.
    this.OPTION(() => this.SUBRULE(this.dims));
    this.OPTION2(() => this.SUBRULE(this.valueKind));
  });

  /** `: class(3)` or `: index(27)`: what each value of an input or target is. */
  valueKind = this.RULE("valueKind", () => {
    this.CONSUME(Colon);
    this.CONSUME(Identifier);
    this.CONSUME(LParen);
    this.CONSUME(NumberLiteral);
    this.CONSUME(RParen);
  });

  paramStmt = this.RULE("paramStmt", () => {
    this.CONSUME(Param);
    this.CONSUME(Identifier);
    this.SUBRULE(this.dims);
    this.OPTION(() => {
      this.CONSUME(Equals);
      this.SUBRULE(this.expression);
    });
    // `param W[2, 2] = zeros frozen`: a trailing attribute; the visitor checks the word.
    this.OPTION2(() => this.CONSUME2(Identifier));
  });

  /** `h = expr`, or `h, c = pair(x)` for a block that returns several values. */
  assignStmt = this.RULE("assignStmt", () => {
    this.CONSUME(Identifier);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.CONSUME2(Identifier);
    });
    this.CONSUME(Equals);
    this.SUBRULE(this.expression);
  });

  outputStmt = this.RULE("outputStmt", () => {
    this.CONSUME(Output);
    this.CONSUME(Identifier);
  });

  lossStmt = this.RULE("lossStmt", () => {
    this.CONSUME(Loss);
    this.SUBRULE(this.expression);
  });

  layersStmt = this.RULE("layersStmt", () => {
    this.CONSUME(Layers);
    this.CONSUME(LCurly);
    this.MANY(() => this.SUBRULE(this.layerLine));
    this.CONSUME(RCurly);
  });

  /** `dense 16 relu init: he`: a layer kind, then numbers, bare names and `name: expr` in any order. */
  layerLine = this.RULE("layerLine", () => {
    this.OR([
      { ALT: () => this.CONSUME(StatementEnd) },
      {
        ALT: () => {
          this.CONSUME(Identifier);
          this.MANY(() => this.SUBRULE(this.layerItem));
          this.CONSUME2(StatementEnd);
        },
      },
    ]);
  });

  layerItem = this.RULE("layerItem", () => {
    this.OR([
      { ALT: () => this.CONSUME(NumberLiteral) },
      { ALT: () => this.SUBRULE(this.namedArg) },
      { ALT: () => this.CONSUME(Identifier) },
    ]);
  });

  trainStmt = this.RULE("trainStmt", () => {
    this.CONSUME(Train);
    this.CONSUME(LCurly);
    this.MANY(() => this.SUBRULE(this.settingLine));
    this.CONSUME(RCurly);
  });

  settingLine = this.RULE("settingLine", () => {
    this.OR([
      { ALT: () => this.CONSUME(StatementEnd) },
      {
        ALT: () => {
          this.CONSUME(Identifier);
          this.SUBRULE(this.expression);
          this.MANY(() => {
            this.CONSUME(Comma);
            this.SUBRULE2(this.expression);
          });
          this.CONSUME2(StatementEnd);
        },
      },
    ]);
  });

  tuneStmt = this.RULE("tuneStmt", () => {
    this.CONSUME(Tune);
    this.CONSUME(LCurly);
    this.MANY(() => this.SUBRULE(this.tuneLine));
    this.CONSUME(RCurly);
  });

  /** `lr: loguniform(1e-4, 0.1)` declares a hyperparameter; `trials 24` is a setting. */
  tuneLine = this.RULE("tuneLine", () => {
    this.OR([
      { ALT: () => this.CONSUME(StatementEnd) },
      {
        ALT: () => {
          this.CONSUME(Identifier);
          this.OPTION(() => this.CONSUME(Colon));
          this.SUBRULE(this.expression);
          this.CONSUME2(StatementEnd);
        },
      },
    ]);
  });

  returnStmt = this.RULE("returnStmt", () => {
    this.CONSUME(Return);
    this.SUBRULE(this.expression);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.expression);
    });
  });

  dims = this.RULE("dims", () => {
    this.CONSUME(LBracket);
    this.CONSUME(NumberLiteral);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.CONSUME2(NumberLiteral);
    });
    this.CONSUME(RBracket);
  });

  // Precedence climbs through one rule per level; repetition (not recursion) keeps `a + b + c`
  // flat in the CST, and the visitor folds it left-associatively.
  expression = this.RULE("expression", () => {
    this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      this.CONSUME(AdditiveOperator);
      this.SUBRULE2(this.multiplicative);
    });
  });

  multiplicative = this.RULE("multiplicative", () => {
    this.SUBRULE(this.unary);
    this.MANY(() => {
      this.CONSUME(MultiplicativeOperator);
      this.SUBRULE2(this.unary);
    });
  });

  unary = this.RULE("unary", () => {
    this.MANY(() => this.CONSUME(Minus));
    this.SUBRULE(this.primary);
  });

  primary = this.RULE("primary", () => {
    this.OR([
      { ALT: () => this.CONSUME(NumberLiteral) },
      {
        ALT: () => {
          // A name may be dotted (`h1.W`): parameters are named after their bindings.
          this.CONSUME(Identifier);
          this.MANY(() => {
            this.CONSUME(Dot);
            this.CONSUME2(Identifier);
          });
          this.OPTION(() => {
            this.CONSUME(LParen);
            this.OPTION2(() => this.SUBRULE(this.args));
            this.CONSUME(RParen);
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME2(LParen);
          this.SUBRULE(this.expression);
          this.CONSUME2(RParen);
        },
      },
    ]);
  });

  args = this.RULE("args", () => {
    this.SUBRULE(this.arg);
    this.MANY(() => {
      this.CONSUME(Comma);
      this.SUBRULE2(this.arg);
    });
  });

  arg = this.RULE("arg", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.namedArg) },
      { ALT: () => this.SUBRULE(this.expression) },
    ]);
  });

  namedArg = this.RULE("namedArg", () => {
    this.CONSUME(Identifier);
    this.CONSUME(Colon);
    this.SUBRULE(this.expression);
  });
}

/** One instance, reused: building a Chevrotain parser runs grammar analysis, which is not cheap. */
export const netParser = new NetParser();
