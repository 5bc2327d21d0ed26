package casabaca

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"time"

	mail "github.com/wneessen/go-mail"
)

// Message is one e-mail the API sends (an avalúo to its client).
type Message struct {
	To          string
	Subject     string
	Text        string
	Attachments []Attachment
}

// Attachment is a file attached to a Message.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Mailer sends e-mails.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// LogMailer is the default mailer: it sends nothing and logs each message
// (its recipient, subject and attachments' names and sizes), so that a
// server with no SMTP server configured still answers, and says so.
type LogMailer struct{ Log *slog.Logger }

// Send implements Mailer.
func (l LogMailer) Send(ctx context.Context, m Message) error {
	log := l.Log
	if log == nil {
		log = slog.Default()
	}
	var files []string
	for _, a := range m.Attachments {
		files = append(files, fmt.Sprintf("%s (%d bytes)", a.Name, len(a.Data)))
	}
	log.InfoContext(ctx, "mail not sent: no SMTP server configured", "to", m.To, "subject", m.Subject, "attachments", files)
	return nil
}

// SMTPConfig is where SMTPMailer sends: the server's host and port, the
// credentials (none: no authentication), the sender, and TLS: "mandatory"
// (STARTTLS required, the default), "opportunistic", "none", or "tls"
// (implicit TLS, as on port 465).
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	TLS      string
	Timeout  time.Duration
}

// SMTPMailer sends each message through an SMTP server (go-mail), one
// connection per message.
type SMTPMailer struct {
	cfg SMTPConfig
}

// NewSMTPMailer checks cfg and returns its mailer.
func NewSMTPMailer(cfg SMTPConfig) (*SMTPMailer, error) {
	if cfg.Host == "" || cfg.From == "" {
		return nil, fmt.Errorf("smtp: a host and a sender (from) are required")
	}
	if err := mail.NewMsg().From(cfg.From); err != nil {
		return nil, fmt.Errorf("smtp: sender %q: %w", cfg.From, err)
	}
	switch cfg.TLS {
	case "", "mandatory", "opportunistic", "none", "tls":
	default:
		return nil, fmt.Errorf("smtp: TLS %q: want mandatory, opportunistic, none or tls", cfg.TLS)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &SMTPMailer{cfg: cfg}, nil
}

// Send implements Mailer.
func (s *SMTPMailer) Send(ctx context.Context, m Message) error {
	msg := mail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return err
	}
	if err := msg.To(m.To); err != nil {
		return err
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	for _, a := range m.Attachments {
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), mail.WithFileContentType(mail.ContentType(a.ContentType))); err != nil {
			return err
		}
	}
	opts := []mail.Option{mail.WithTimeout(s.cfg.Timeout)}
	if s.cfg.Port != 0 {
		opts = append(opts, mail.WithPort(s.cfg.Port))
	}
	switch s.cfg.TLS {
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case "opportunistic":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case "tls":
		opts = append(opts, mail.WithSSL())
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(s.cfg.Username), mail.WithPassword(s.cfg.Password))
	}
	c, err := mail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, msg)
}
